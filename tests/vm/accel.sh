#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Any way a KVM start fails falls back to TCG in the same run, says why and is
# remembered for the host's boot; --accel kvm / UFFDWP_ACCEL force a choice.
# Fake QEMUs (--qemu) misbehave when asked for KVM and run the real QEMU under
# TCG; every case gets a fresh TMPDIR, so no verdict is remembered from before.
. "$(dirname "$0")/lib.sh"

tap_plan 11
QEMU_REAL=$(command -v qemu-system-x86_64 || echo /usr/bin/qemu-system-x86_64)

# fake NAME BODY: a QEMU that runs BODY when its arguments ask for KVM (and
# notes that in $WORK/NAME.kvm), and the real QEMU otherwise.
fake() {
	cat > "$WORK/$1" <<FAKE
#!/bin/bash
case " \$* " in
*" -accel kvm "*) echo called >> "$WORK/$1.kvm"; $2 ;;
esac
exec "$QEMU_REAL" "\$@"
FAKE
	chmod +x "$WORK/$1"
}
fake abort 'echo "qemu-system-x86_64: ../accel/kvm/kvm-all.c:3183: kvm_buf_set_msrs: Assertion \`ret == cpu->kvm_msr_buf->nmsrs'"'"' failed." >&2; kill -ABRT $$'
fake exit1 'echo "failed to initialize kvm: Operation not permitted" >&2; exit 1'
fake hang 'exec -a uffdwp-fake-qemu sleep 3600'
fake kvmerror 'echo "KVM internal error. Suberror: 1" >&2; echo "extra data[0]: 0x0000000000000001" >&2; exec -a uffdwp-fake-qemu sleep 3600'
cat > "$WORK/broken" <<'FAKE'
#!/bin/sh
echo "qemu-system-x86_64: this QEMU is broken in every mode" >&2
exit 1
FAKE
chmod +x "$WORK/broken"

# boot FAKE [ARGS...]: uffdwp-vmtest --debian 6.12 with that QEMU and a fresh TMPDIR
# (or $KEEP_TMP), the accelerator's probe passing as it does on the hosts that fail
boot() {
	local q=$1; shift
	export TMPDIR=${KEEP_TMP:-$(mktemp -d "$WORK/tmp.XXXXXX")}
	vmtest --qemu "$WORK/$q" "$@" --debian 6.12 -- true
	unset TMPDIR
}

# The summary line says TCG and why.
ACCEL_LINE='^uffdwp-vmtest: kernel .* accel tcg \(KVM: '

if ! need_image "$DEBIAN_612" || [ ! -c /dev/kvm ]; then
	for i in $(seq 11); do
		tap_skip "accel case $i" "needs $DEBIAN_612 (make setup) and /dev/kvm"
	done
	tap_done
fi

boot abort
expect "QEMU aborting under KVM: booted under TCG, exit 0" 0 \
	"${ACCEL_LINE}QEMU aborted \(SIGABRT\) before the kernel started"
boot exit1
expect "QEMU exiting 1 under KVM: booted under TCG, exit 0" 0 \
	"${ACCEL_LINE}QEMU exited 1 before the kernel started: failed to initialize kvm"
boot hang
expect "a silent KVM guest: booted under TCG, exit 0" 0 \
	"${ACCEL_LINE}a guest printed nothing within 8 s\)"
boot kvmerror
expect "QEMU reporting a KVM error (guest paused): booted under TCG, exit 0" 0 \
	"${ACCEL_LINE}QEMU reported a KVM error before the kernel started: KVM internal error. Suberror: 1\)"
check "no fake QEMU left running" sh -c "! pgrep -f '^uffdwp-fake-qemu' >/dev/null"

boot broken
expect "a QEMU that fails under TCG too: 125 with its message" 125 \
	"${RESULT_125}no boot: QEMU refused the image: qemu-system-x86_64: this QEMU is broken in every mode"

# remembered for this host's boot: the next run goes straight to TCG and says why
KEEP_TMP=$(mktemp -d "$WORK/keep.XXXXXX")
boot abort
rm -f "$WORK/abort.kvm"
boot abort --json
check "the next run remembers the failure: TCG without trying KVM, the reason in the JSON" \
	sh -c "[ ! -e '$WORK/abort.kvm' ] && [ $rc = 0 ] &&
	       grep -q '\"accel\":\"tcg\",\"accel_note\":\"(KVM failed earlier since this host booted: QEMU aborted (SIGABRT)' '$WORK/out'"
unset KEEP_TMP

boot abort --accel kvm
expect "--accel kvm that fails: 125 with the reason, no fallback" 125 \
	"${RESULT_125}no boot under --accel kvm: QEMU aborted \(SIGABRT\) before the kernel started"
check "--accel kvm that fails: no TCG boot" sh -c "! grep -q 'booting again under TCG' '$WORK/out'"

rm -f "$WORK/abort.kvm"
UFFDWP_ACCEL=tcg boot abort
check "UFFDWP_ACCEL=tcg: booted under TCG without trying KVM (exit $rc)" \
	sh -c "[ $rc = 0 ] && [ ! -e '$WORK/abort.kvm' ] && grep -q 'accel tcg, boot' '$WORK/out'"
UFFDWP_ACCEL=fast boot abort
expect "a bad UFFDWP_ACCEL: 125, one usage line" 125 \
	"^uffdwp-vmtest: UFFDWP_ACCEL takes auto, kvm or tcg, not: fast"
tap_done
