#!/usr/bin/env bash
# scripts/release-check.sh: validate the release configuration and look inside what it makes.
# Runs 'goreleaser check' and 'goreleaser release --snapshot --clean --skip=publish' (into
# dist/), then inspects the .deb with dpkg-deb -c (and the .rpm with rpm -qlp when rpm is
# installed): both binaries, the man page, the three completions and the example definitions
# must be there. It then unpacks the amd64 .deb into a temporary directory (nothing is
# installed on this machine) and runs the packaged binaries (lean secrun handing over to
# secrun-full), man -l on the packaged man page,
# and bash -n, zsh -n and fish -n on the packaged completions, when those programs exist.
#
# GoReleaser: goreleaser on PATH, else ~/go/bin/goreleaser; with --install it is installed
# when missing (go install github.com/goreleaser/goreleaser/v2@v2.15.1, about 4 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
version=v2.15.1

gr=$(command -v goreleaser || true)
[ -z "$gr" ] && [ -x "$HOME/go/bin/goreleaser" ] && gr=$HOME/go/bin/goreleaser
if [ -z "$gr" ]; then
  if [ "${1:-}" = --install ]; then
    go install "github.com/goreleaser/goreleaser/v2@$version"
    gr=$(go env GOPATH)/bin/goreleaser
  else
    echo "release-check: goreleaser not found; run with --install to install $version (about 4 minutes)" >&2
    exit 2
  fi
fi
echo "release-check: $("$gr" --version 2>&1 | grep -m1 GitVersion | tr -s ' ')"

fail() { echo "release-check: FAIL: $*" >&2; exit 1; }

"$gr" check
"$gr" release --snapshot --clean --skip=publish

shopt -s nullglob
debs=(dist/*.deb) rpms=(dist/*.rpm) archives=(dist/*.tar.gz dist/*.zip)
[ ${#debs[@]} -eq 2 ] || fail "want 2 .deb files (amd64, arm64), have: ${debs[*]:-none}"
[ ${#rpms[@]} -eq 2 ] || fail "want 2 .rpm files (x86_64, aarch64), have: ${rpms[*]:-none}"
[ ${#archives[@]} -eq 6 ] || fail "want 6 archives, have: ${archives[*]:-none}"
[ -s dist/checksums.txt ] || fail "no dist/checksums.txt"
(cd dist && sha256sum --quiet -c checksums.txt) || fail "checksums.txt does not match"
for f in "${debs[@]}" "${rpms[@]}" "${archives[@]}"; do
  grep -q " $(basename "$f")\$" dist/checksums.txt || fail "checksums.txt lacks $(basename "$f")"
done

want_deb=(
  ./usr/bin/secrun
  ./usr/bin/secrun-full
  ./usr/share/man/man1/secrun.1.gz
  ./usr/share/bash-completion/completions/secrun
  ./usr/share/zsh/vendor-completions/_secrun
  ./usr/share/fish/vendor_completions.d/secrun.fish
  ./etc/secrun/envs.toml.example
  ./usr/share/doc/secrun/copyright
  ./usr/share/doc/secrun/README.md
  ./usr/share/doc/secrun/docs/security.md
)
for deb in "${debs[@]}"; do
  echo "== dpkg-deb -c $deb"
  listing=$(dpkg-deb -c "$deb")
  echo "$listing"
  for p in "${want_deb[@]}"; do
    grep -q " $p\$" <<<"$listing" || fail "$deb lacks $p"
  done
  dpkg-deb -f "$deb" Package Version Architecture
  dpkg-deb -I "$deb" conffiles | grep -qx /etc/secrun/envs.toml.example || fail "$deb: envs.toml.example is not a conffile"
done

if command -v rpm >/dev/null; then
  for r in "${rpms[@]}"; do
    echo "== rpm -qlp $r"
    listing=$(rpm -qlp "$r" 2>/dev/null)
    echo "$listing"
    for p in /usr/bin/secrun /usr/bin/secrun-full /usr/share/man/man1/secrun.1.gz /usr/share/bash-completion/completions/secrun \
      /usr/share/zsh/site-functions/_secrun /usr/share/fish/vendor_completions.d/secrun.fish /etc/secrun/envs.toml.example \
      /usr/share/doc/secrun/README.md /usr/share/doc/secrun/docs/security.md /usr/share/licenses/secrun/LICENSE; do
      grep -qx "$p" <<<"$listing" || fail "$r lacks $p"
    done
    rpm -qp --qf '%{NAME} %{VERSION} %{ARCH}\n' "$r" 2>/dev/null
  done
else
  echo "release-check: rpm not installed; the .rpm files were built but not listed"
fi

for a in dist/*linux_amd64*.tar.gz; do
  echo "== tar -tzf $a"
  listing=$(tar -tzf "$a")
  echo "$listing"
  for p in README.md docs/security.md LICENSE secrun secrun-full share/man/man1/secrun.1.gz share/completions/secrun.bash etc/secrun/envs.toml.example; do
    grep -qx "$p" <<<"$listing" || fail "$a lacks $p"
  done
done

# Unpack the amd64 .deb and use what it holds.
x=$(mktemp -d)
trap 'rm -rf "$x"' EXIT
dpkg-deb -x dist/*_amd64.deb "$x"
"$x/usr/bin/secrun" --version # lean secrun hands --version to secrun-full beside it
if command -v man >/dev/null; then
  MANWIDTH=80 man --warnings -E UTF-8 -l "$x/usr/share/man/man1/secrun.1.gz" 2>"$x/man.err" | head -5
  [ ! -s "$x/man.err" ] || { cat "$x/man.err"; fail "man -l warns about the packaged man page"; }
fi
bash -n "$x/usr/share/bash-completion/completions/secrun"
if command -v zsh >/dev/null; then zsh -n "$x/usr/share/zsh/vendor-completions/_secrun"; fi
if command -v fish >/dev/null; then fish -n "$x/usr/share/fish/vendor_completions.d/secrun.fish"; fi
"$x/usr/bin/secrun" --envs "$x/etc/secrun/envs.toml.example" env list

echo "release-check: all checks passed"
