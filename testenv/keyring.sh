# testenv/keyring.sh: a real Secret Service for the keyring tests. Sourced by test.sh.
#
# It installs gnome-keyring and a D-Bus session bus when they are missing, starts a private
# session bus and an unlocked gnome-keyring daemon in a throwaway HOME, and exports
# SECRUN_TEST_DBUS=<bus address> and SECRUN_TEST_KEYRING_HOME. It does NOT export
# DBUS_SESSION_BUS_ADDRESS: every other test must keep seeing a machine without a keyring, and
# the keyring tests set the bus address themselves. Both daemons are stopped by PID at exit.

keyring_start() {
  if ! need_pkgs gnome-keyring dbus dbus-x11 libsecret-tools; then
    unavailable "Secret Service" "cannot install gnome-keyring dbus dbus-x11 libsecret-tools"
    return 0
  fi
  local home out addr pid i
  home=$(mktemp -d /tmp/secrun-keyring.XXXXXX)
  on_exit "rm -rf '$home'"
  # dbus-launch prints the address and the PID of the bus it started.
  out=$(HOME=$home dbus-launch --sh-syntax) || { unavailable "Secret Service" "dbus-launch failed"; return 0; }
  addr=$(printf '%s\n' "$out" | sed -n "s/^DBUS_SESSION_BUS_ADDRESS='\(.*\)';\$/\1/p")
  pid=$(printf '%s\n' "$out" | sed -n 's/^DBUS_SESSION_BUS_PID=\([0-9]*\);$/\1/p')
  if [ -z "$addr" ] || [ -z "$pid" ]; then
    unavailable "Secret Service" "could not read the bus address from dbus-launch"
    return 0
  fi
  on_exit "kill $pid 2>/dev/null"
  # --unlock with the password on stdin creates the login collection in the fresh HOME and
  # unlocks it. The daemon exits with its bus; its PID is recorded as well, to be sure.
  out=$(printf '%s' secrun-test | HOME=$home DBUS_SESSION_BUS_ADDRESS=$addr \
    gnome-keyring-daemon --unlock --components=secrets 2>/dev/null) || true
  local kpid
  kpid=$(printf '%s\n' "$out" | sed -n 's/^GNOME_KEYRING_PID=\([0-9]*\)$/\1/p')
  [ -n "$kpid" ] && on_exit "kill $kpid 2>/dev/null"
  for i in $(seq 100); do
    DBUS_SESSION_BUS_ADDRESS=$addr dbus-send --session --print-reply --dest=org.freedesktop.DBus \
      /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
      grep -q true && break
    sleep 0.05
  done
  if ! printf probe | HOME=$home DBUS_SESSION_BUS_ADDRESS=$addr secret-tool store --label=probe service secrun-probe username probe 2>/dev/null ||
    [ "$(HOME=$home DBUS_SESSION_BUS_ADDRESS=$addr secret-tool lookup service secrun-probe username probe)" != probe ]; then
    unavailable "Secret Service" "gnome-keyring did not answer on the private bus"
    return 0
  fi
  HOME=$home DBUS_SESSION_BUS_ADDRESS=$addr secret-tool clear service secrun-probe username probe
  export SECRUN_TEST_DBUS=$addr SECRUN_TEST_KEYRING_HOME=$home
  echo "Secret Service (gnome-keyring $kpid) on $addr (bus PID $pid)"
}
keyring_start
