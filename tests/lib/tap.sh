# TAP output for integration tests: ok/not ok lines and a trailing plan.
# Sourced; the test calls tap_done at the end (stack.sh's exit trap
# does it when a test dies early, so a crash still counts as failure).

TAP_N=0
TAP_FAILED=0
TAP_DONE=0

# ok CONDITION-EXIT-STATUS DESCRIPTION
tap_result() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

# check DESCRIPTION COMMAND...: run the command, record its status.
check() {
	local desc=$1
	shift
	"$@"
	tap_result $? "$desc"
}

# not COMMAND...: succeed when the command fails (for check).
not() {
	! "$@"
}

# is DESCRIPTION GOT WANT
is() {
	if [ "$2" = "$3" ]; then
		tap_result 0 "$1"
	else
		echo "# got:  '$2'"
		echo "# want: '$3'"
		tap_result 1 "$1"
	fi
}

# like DESCRIPTION GOT ERE
like() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then
		tap_result 0 "$1"
	else
		echo "# got:  '$2'"
		echo "# want match: '$3'"
		tap_result 1 "$1"
	fi
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# bail REASON: stop the test now; the exit trap cleans up.
bail() {
	echo "Bail out! $*"
	exit 1
}

tap_done() {
	[ "$TAP_DONE" = 1 ] && return
	TAP_DONE=1
	echo "1..$TAP_N"
}

# wait_for SECONDS COMMAND...: poll until the command succeeds or the
# deadline passes. Conditions, not sleeps: returns as soon as it holds.
wait_for() {
	local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 ))
	shift
	while :; do
		"$@" && return 0
		[ $(( $(date +%s%N) / 1000000 )) -ge $deadline ] && return 1
		sleep 0.05
	done
}
