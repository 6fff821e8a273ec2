/* The TD-partitioning SVSM's shared-IRTE ring through the C ABI (softseam.h): L1 converts a page to shared
   (TDG.VP.VMCALL<MapGPA>, which the built-in host carries out), lays out the ring header (byte 0 vector 0xE0;
   num_elem 253, elem_size 16, head 0, tail 0, size 0xFD0 at 16), registers it for VM index 0 with TDVMCALL
   0x20001 (the built-in host keeps it: softseam_irte_ring); the host pushes two MSIs with
   softseam_host_irte_push, L1 takes 0xE0 and reads both entries; a push from a host callback; a full ring and a
   page never converted are refused, nothing written. Expected values hand-worked from the SVSM's
   kernel/src/tdx/sirte.rs (layout, head read by L1, tail written by the host). The trace it records
   (argv[1]/irte.trace.jsonl) must replay clean (checks/irte.sh). */
#include "cabi_check.h"

#define RING 0x103000ULL
#define RING_SHARED (RING | (1ULL << 47))

static uint64_t host_vp_wr(softseam_t *m, uint64_t field, uint64_t value, uint64_t mask) {
    softseam_regs_t w = {.rax = 43, .rcx = softseam_tdvpr(m, 0), .rdx = field, .r8 = value, .r9 = mask};
    int rc = softseam_seamcall(m, &w);
    CHECK_EQ(rc, SOFTSEAM_OK, "TDH.VP.WR SEAMCALL");
    return w.rax;
}

static void store32(softseam_t *m, uint64_t gpa, uint32_t v) {
    CHECK_EQ(softseam_mem_write(m, gpa, &v, 4), SOFTSEAM_OK, "L1 store to the ring");
}

static uint32_t load32(softseam_t *m, uint64_t gpa) {
    uint32_t v = 0;
    CHECK_EQ(softseam_mem_read(m, gpa, &v, 4), SOFTSEAM_OK, "L1 load from the ring");
    return v;
}

struct host {
    int calls, push_rc, enter_rc;
    int32_t refused;
};

/* On L1's TDVMCALL<HLT>: push an IOAPIC event (pin 9, level 1, source 3), then complete the HLT (R10 = 0). */
static void host_cb(void *ctx, softseam_t *m, const softseam_td_exit_t *exit) {
    struct host *h = ctx;
    h->calls++;
    uint64_t gpa = 0;
    if (softseam_irte_ring(m, 1, &gpa) == SOFTSEAM_OK)
        h->push_rc = softseam_host_irte_push(m, exit->vcpu, gpa, SOFTSEAM_IRQ_IOAPIC, 9, 1, 3, &h->refused);
    softseam_regs_t r = {.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(m, exit->vcpu), .r11 = 12};
    h->enter_rc = softseam_seamcall(m, &r);
}

static int tdvmcall(softseam_t *m, uint64_t sub, uint64_t r12, uint64_t r13, uint64_t r14, uint64_t *r10) {
    softseam_regs_t r = {.rax = 0, .rcx = 0x7C00, .r10 = 0, .r11 = sub, .r12 = r12, .r13 = r13, .r14 = r14};
    int rc = softseam_tdcall(m, 0, &r);
    *r10 = r.r10;
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: irte WORKDIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/irte.trace.jsonl", argv[1]);
    softseam_t *m = cabi_create(TD_CONFIG);
    int rc = softseam_trace_start(m, path, SOFTSEAM_TRACE_JSON, "Tests/CABI/irte.c");
    CHECK(rc == SOFTSEAM_OK, "trace_start: %d %s", rc, softseam_last_error(m));
    uint64_t r10 = ~0ULL, gpa = 0;
    int32_t refused = -1, vector = 0;
    uint8_t entry[16];

    /* No ring registered yet; pushing before posted interrupts are enabled is the host's own mistake. */
    CHECK_ERR(softseam_irte_ring(m, 1, &gpa), SOFTSEAM_ESTATE, "softseam_irte_ring", "before 0x20001");
    CHECK_ERR(softseam_host_irte_push(m, 0, RING, SOFTSEAM_IRQ_MSI, 0x31, 0, 0, &refused), SOFTSEAM_ESTATE,
              "softseam_host_irte_push", "before posted interrupts are enabled");
    CHECK_EQ(host_vp_wr(m, 0x0024000100000002ULL, 0xF2, 0xFFFF), TDX_SUCCESS, "notification vector 0xF2");
    CHECK_EQ(host_vp_wr(m, 0x0024000300002016ULL, 0x5000, ~0ULL), TDX_SUCCESS, "PID address 0x5000");
    CHECK_EQ(host_vp_wr(m, 0x0024000200004000ULL, 0x80, 0x80), TDX_SUCCESS, "pin-based bit 7");
    CHECK_ERR(softseam_host_irte_push(m, 0, RING, 7, 0x31, 0, 0, &refused), SOFTSEAM_EINVAL,
              "softseam_host_irte_push", "irq_type 7");
    CHECK_ERR(softseam_host_irte_push(m, 0, RING, SOFTSEAM_IRQ_MSI, 0x100, 0, 0, &refused), SOFTSEAM_EINVAL,
              "softseam_host_irte_push", "an MSI vector above 0xFF");

    /* A push into the private page before L1 converted it: refused, not_shared. */
    CHECK_EQ(softseam_host_irte_push(m, 0, RING, SOFTSEAM_IRQ_MSI, 0x31, 0, 0, &refused), SOFTSEAM_OK, "push");
    CHECK_EQ(refused, SOFTSEAM_IRTE_NOT_SHARED, "a ring page L1 never converted");

    /* MapGPA of the ring page to shared: the built-in host maps it and answers R10 = 0. */
    CHECK_EQ(tdvmcall(m, 0x10001, RING_SHARED, 0x1000, 0, &r10), SOFTSEAM_OK, "MapGPA");
    CHECK_EQ(r10, 0, "MapGPA status");
    uint8_t vec = 0xE0;
    CHECK_EQ(softseam_mem_write(m, RING_SHARED, &vec, 1), SOFTSEAM_OK, "ring vector");
    store32(m, RING_SHARED + 16, 253);
    store32(m, RING_SHARED + 20, 16);
    store32(m, RING_SHARED + 32, 253 * 16);
    CHECK_EQ(tdvmcall(m, 0x20001, RING, 0, 1, &r10), SOFTSEAM_OK, "SHARED_IRTE_HDR");
    CHECK_EQ(r10, 0, "SHARED_IRTE_HDR status");
    CHECK_EQ(softseam_irte_ring(m, 1, &gpa), SOFTSEAM_OK, "ring of VM 1");
    CHECK_EQ(gpa, RING, "the GPA L1 registered");
    CHECK_ERR(softseam_irte_ring(m, 2, &gpa), SOFTSEAM_ESTATE, "softseam_irte_ring", "VM 2 has none");

    /* Two MSIs: entries 0 and 1, tail 2; the ring's vector 0xE0 posted while L1 runs. */
    CHECK_EQ(softseam_host_irte_push(m, 0, RING, SOFTSEAM_IRQ_MSI, 0x31, 0, 0, &refused), SOFTSEAM_OK, "push 0x31");
    CHECK_EQ(refused, 0, "pushed");
    CHECK_EQ(softseam_host_irte_push(m, 0, RING, SOFTSEAM_IRQ_MSI, 0x32, 1, 2, &refused), SOFTSEAM_OK, "push 0x32");
    CHECK_EQ(refused, 0, "pushed");
    CHECK_EQ(load32(m, RING_SHARED + 28), 2, "tail after two pushes");
    CHECK_EQ(softseam_l1_interruptible(m, 0, &vector), SOFTSEAM_OK, "interruptible");
    CHECK_EQ(vector, 0xE0, "the ring's vector delivered to L1");
    CHECK_EQ(softseam_mem_read(m, RING_SHARED + 64, entry, 16), SOFTSEAM_OK, "entry 1");
    CHECK(entry[0] == 2 && entry[4] == 2 && entry[5] == 0x32 && entry[6] == 1, "entry 1: MSI mode 2 vector 0x32 dest 1");
    store32(m, RING_SHARED + 24, 2); /* L1 consumed both */
    uint32_t fault = 0;
    CHECK_EQ(softseam_wrmsr(m, 0, 0x80B, 0, &fault), SOFTSEAM_OK, "EOI");

    /* From a host callback: L1's TDVMCALL<HLT> exits to it, it pushes an IOAPIC event into entry 2. */
    struct host h = {0};
    CHECK_EQ(softseam_set_host_callback(m, host_cb, &h), SOFTSEAM_OK, "host callback");
    softseam_regs_t hlt = {.rax = 0, .rcx = 0x1C00, .r11 = 12};
    CHECK_EQ(softseam_tdcall(m, 0, &hlt), SOFTSEAM_OK, "TDVMCALL HLT");
    CHECK(h.calls == 1 && h.push_rc == SOFTSEAM_OK && h.refused == 0 && h.enter_rc == SOFTSEAM_OK,
          "push from the callback: calls %d push %d refused %d enter %d", h.calls, h.push_rc, h.refused, h.enter_rc);
    CHECK_EQ(softseam_set_host_callback(m, NULL, NULL), SOFTSEAM_OK, "built-in host again");
    CHECK_EQ(softseam_mem_read(m, RING_SHARED + 80, entry, 16), SOFTSEAM_OK, "entry 2");
    CHECK(entry[0] == 1 && entry[4] == 9 && entry[8] == 1 && entry[12] == 3, "entry 2: IOAPIC pin 9 level 1 source 3");
    CHECK_EQ(load32(m, RING_SHARED + 28), 3, "tail 3");

    /* A buggy L1 leaves head at tail + 1: full, nothing written, tail stays 3. */
    store32(m, RING_SHARED + 24, 4);
    CHECK_EQ(softseam_host_irte_push(m, 0, RING, SOFTSEAM_IRQ_MSI, 0x33, 0, 0, &refused), SOFTSEAM_OK, "push");
    CHECK_EQ(refused, SOFTSEAM_IRTE_FULL, "full ring");
    CHECK_EQ(load32(m, RING_SHARED + 28), 3, "tail after the refused push");
    CHECK_EQ(softseam_host_irte_push(m, 0, RING_SHARED, SOFTSEAM_IRQ_MSI, 0x33, 0, 0, NULL), SOFTSEAM_OK,
             "push with the SHARED bit, refused pointer NULL");

    CHECK(softseam_trace_stop(m) > 0, "trace_stop: %s", softseam_last_error(m));
    softseam_destroy(m);
    return cabi_finish("irte");
}
