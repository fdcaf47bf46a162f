# testenv/mpi.sh: Open MPI and MPICH (hydra) with their compilers, for integration/mpi_test.go.
# Sourced by test.sh; exports SECRUN_TEST_MPI=1 when both work.
if need_pkgs openmpi-bin libopenmpi-dev mpich libmpich-dev gcc libc6-dev; then
  if command -v mpirun.openmpi >/dev/null && command -v mpiexec.hydra >/dev/null; then
    export SECRUN_TEST_MPI=1
    echo "Open MPI: $(mpirun.openmpi --version 2>&1 | head -1); MPICH: $(mpiexec.hydra --version 2>&1 | grep -m1 Version: | tr -s ' ')"
  else
    unavailable "MPI" "mpirun.openmpi or mpiexec.hydra missing after the install"
  fi
else
  unavailable "MPI" "cannot install openmpi-bin and mpich"
fi
