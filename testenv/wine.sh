# testenv/wine.sh: Wine, to run the Windows binary in the integration tests (wine_test.go).
# Sourced by test.sh.
#
# It installs wine and wine64 when they are missing and makes a private prefix under a temp
# directory. Wine 8.0 lacks bcryptprimitives.dll, whose ProcessPrng every Go 1.22+ program
# calls at start-up; when the prefix has no such DLL, testenv/prngdll writes a stand-in without
# code that forwards ProcessPrng to advapi32.SystemFunction036 (real Windows ships the DLL).
# It exports SECRUN_TEST_WINE=1, WINEPREFIX and WINEDEBUG, and keeps a wineserver running
# for the prefix until test.sh exits.

wine_start() {
  if ! need_pkgs wine wine64; then
    unavailable Wine "cannot install wine wine64"
    return 0
  fi
  local dir dll
  dir=$(mktemp -d /tmp/secrun-wine.XXXXXX)
  on_exit "rm -rf '$dir'"
  export WINEPREFIX=$dir/prefix WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml='
  # A persistent wineserver, started first so that wineboot uses it: each wine call of the
  # tests then starts in a fraction of a second.
  mkdir -p "$WINEPREFIX"
  wineserver -p || { unavailable Wine "wineserver did not start"; return 0; }
  on_exit "WINEPREFIX='$WINEPREFIX' wineserver -k"
  if ! wineboot -i >/dev/null 2>&1; then
    unavailable Wine "wineboot could not create a prefix in $WINEPREFIX"
    return 0
  fi
  dll=$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
  if [ ! -e "$dll" ]; then
    go run ./testenv/prngdll "$dll" || { unavailable Wine "could not write $dll"; return 0; }
    echo "testenv: Wine prefix lacks bcryptprimitives.dll: added the ProcessPrng stand-in"
  fi
  echo "testenv: Wine $(wine --version) in $WINEPREFIX"
  export SECRUN_TEST_WINE=1
}
wine_start
