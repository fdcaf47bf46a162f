# Spack recipe for secrun. Copy this directory into a Spack repository's packages/ directory
# (for example: spack repo create ~/spack-site; cp -r contrib/spack/secrun ~/spack-site/packages/),
# then: spack install secrun@main
#
# Add release versions with their checksums once secrun is tagged: spack checksum secrun 1.0.0

import os

from spack.package import *


class Secrun(GoPackage):
    """Run a command with secrets from the OS keyring or a permission-locked file in its
    environment only. Built for batch jobs: SLURM/PBS scripts, shebang lines, MPI launchers."""

    homepage = "https://github.com/secrun/secrun"
    git = "https://github.com/secrun/secrun.git"

    license("MIT")

    version("main", branch="main")

    depends_on("go@1.26:", type="build")

    def setup_build_environment(self, env):
        # A static binary: go-keyring needs no cgo, and compute nodes need no libc match.
        env.set("CGO_ENABLED", "0")

    @property
    def build_args(self):
        ldflags = "-s -w -X main.version={0}".format(self.spec.version)
        return ["-modcacherw", "-trimpath", "-ldflags", ldflags, "-o", self.name]

    @run_after("install")
    def install_man_and_completions(self):
        # The manual page and the completion scripts come from the built binary itself.
        secrun = Executable(join_path(self.prefix.bin, "secrun"))
        files = {
            join_path(self.prefix.share.man.man1, "secrun.1"): ["__man"],
            join_path(self.prefix.share, "bash-completion", "completions", "secrun"): [
                "completion",
                "bash",
            ],
            join_path(self.prefix.share, "zsh", "site-functions", "_secrun"): ["completion", "zsh"],
            join_path(self.prefix.share, "fish", "vendor_completions.d", "secrun.fish"): [
                "completion",
                "fish",
            ],
        }
        for path, args in files.items():
            mkdirp(os.path.dirname(path))
            with open(path, "w") as f:
                f.write(secrun(*args, output=str))
