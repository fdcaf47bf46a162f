#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  int rank, size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char *s = getenv("RANK_SECRET");
  printf("rank %d of %d: secret length %d\n", rank, size, s ? (int)strlen(s) : -1);
  MPI_Finalize();
  return 0;
}
