# testenv/keyring.sh: a real Secret Service for the keyring tests. Sourced by test.sh.
#
# It installs gnome-keyring and a D-Bus session bus when they are missing, then starts two
# private session buses, each with a gnome-keyring daemon in a throwaway HOME:
#   SECRUN_TEST_DBUS         its login collection is unlocked;
#   SECRUN_TEST_DBUS_LOCKED  its login collection exists but is locked (unlocking needs a
#                            prompt, which cannot be shown here, so it is refused).
# It does NOT export DBUS_SESSION_BUS_ADDRESS: every other test must keep seeing a machine
# without a keyring; the keyring tests set the bus address themselves. Buses and daemons are
# stopped by PID at exit.

# keyring_bus NAME LOCK starts a bus and an unlocked (or, with LOCK=lock, locked) keyring
# daemon on it, and sets keyring_addr to the bus address. (Not run in $(...): the on_exit
# hooks must reach test.sh's shell.)
keyring_bus() {
  local home out addr pid kpid p i
  home=$(mktemp -d "/tmp/secrun-keyring-$1.XXXXXX")
  on_exit "rm -rf '$home'"
  out=$(HOME=$home dbus-launch --sh-syntax) || return 1
  addr=$(printf '%s\n' "$out" | sed -n "s/^DBUS_SESSION_BUS_ADDRESS='\(.*\)';\$/\1/p")
  pid=$(printf '%s\n' "$out" | sed -n 's/^DBUS_SESSION_BUS_PID=\([0-9]*\);$/\1/p')
  [ -n "$addr" ] && [ -n "$pid" ] || return 1
  on_exit "kill $pid 2>/dev/null"
  # --unlock with the password on stdin creates the login collection in the fresh HOME and
  # unlocks it. The daemon exits with its bus; its PID is found by its HOME, to be sure.
  printf '%s' secrun-test | HOME=$home DBUS_SESSION_BUS_ADDRESS=$addr \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || return 1
  for p in $(pgrep -x gnome-keyring-d); do
    if tr '\0' '\n' 2>/dev/null < "/proc/$p/environ" | grep -qx "HOME=$home"; then kpid=$p; fi
  done
  [ -n "${kpid:-}" ] && on_exit "kill $kpid 2>/dev/null"
  for i in $(seq 100); do
    DBUS_SESSION_BUS_ADDRESS=$addr dbus-send --session --print-reply --dest=org.freedesktop.DBus \
      /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
      grep -q true && break
    sleep 0.05
  done
  if [ "$2" = lock ]; then
    DBUS_SESSION_BUS_ADDRESS=$addr dbus-send --session --print-reply --dest=org.freedesktop.secrets \
      /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock \
      array:objpath:/org/freedesktop/secrets/collection/login >/dev/null || return 1
  else
    printf probe | DBUS_SESSION_BUS_ADDRESS=$addr secret-tool store --label=probe service secrun-probe username probe &&
      [ "$(DBUS_SESSION_BUS_ADDRESS=$addr secret-tool lookup service secrun-probe username probe)" = probe ] &&
      DBUS_SESSION_BUS_ADDRESS=$addr secret-tool clear service secrun-probe username probe || return 1
  fi
  echo "testenv: Secret Service ($2) on $addr: bus PID $pid, gnome-keyring PID ${kpid:-?}"
  keyring_addr=$addr
}

keyring_start() {
  if ! need_pkgs gnome-keyring dbus dbus-x11 libsecret-tools; then
    unavailable "Secret Service" "cannot install gnome-keyring dbus dbus-x11 libsecret-tools"
    return 0
  fi
  local addr
  keyring_addr=
  if ! keyring_bus unlocked unlock; then
    unavailable "Secret Service" "gnome-keyring did not answer on a private bus"
    return 0
  fi
  addr=$keyring_addr
  if ! keyring_bus locked lock; then
    unavailable "Secret Service" "could not start a locked gnome-keyring on a private bus"
    return 0
  fi
  export SECRUN_TEST_DBUS=$addr SECRUN_TEST_DBUS_LOCKED=$keyring_addr
}
keyring_start
