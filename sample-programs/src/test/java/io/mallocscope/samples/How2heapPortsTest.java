package io.mallocscope.samples;

import io.mallocscope.runtime.CProcess;
import org.junit.jupiter.api.Test;

import static io.mallocscope.samples.ProcessSamplesTest.address;
import static io.mallocscope.samples.SampleRun.runExpectingDeclaredStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each how2heap port reaches the outcome of its C original. The expected heap addresses are those the
 * originals (shellphish/how2heap, glibc_2.36/*.c, built with gcc -O0 and run with {@code setarch -R}
 * on Debian 12's glibc 2.36-9+deb12u14, output to a file) printed; their heap starts at
 * 0x555555559000 exactly like ours, so the absolute heap addresses must be equal. Stack and .bss
 * addresses differ from C's, so for those the tests check the relation the original asserts.
 */
class How2heapPortsTest {

    @Test
    void firstFit() {
        CProcess.Captured r = runExpectingDeclaredStatus(FirstFit.class);
        assertThat(r.stderr())
                .contains("1st malloc(0x512): 0x5555555592a0\n")
                .contains("2nd malloc(0x256): 0x5555555597c0\n")
                .contains("3rd malloc(0x500): 0x5555555592a0\n")
                .contains("first allocation 0x5555555592a0 points to this is C!\n");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void fastbinDup() {
        String out = runExpectingDeclaredStatus(FastbinDup.class).stdout();
        assertThat(out)
                .contains("calloc #1: 0x5555555593a0\n")
                .contains("calloc #2: 0x5555555593c0\n")
                .contains("calloc #3: 0x5555555593e0\n")
                .contains("The fastbin now reads [ 0x5555555593a0, 0x5555555593c0, 0x5555555593a0 ].\n")
                .contains("calloc #4: 0x5555555593a0\n")
                .contains("calloc #5: 0x5555555593c0\n")
                .contains("calloc #6: 0x5555555593a0\n")
                .endsWith("#4 and #6 are the same chunk.\n");
    }

    @Test
    void fastbinDupIntoStack() {
        CProcess.Captured r = runExpectingDeclaredStatus(FastbinDupIntoStack.class);
        String err = r.stderr();
        assertThat(err)
                .contains("calloc #1: 0x555555559380\n")
                .contains("calloc #2: 0x5555555593a0\n")
                .contains("calloc #3: 0x5555555593c0\n")
                .contains("calloc #4: 0x555555559380 (still in the fastbin)\n")
                .contains("calloc #5: 0x5555555593a0\n")
                .contains("calloc #6: 0x555555559380, leaving the stack address at the fastbin's head\n");
        long target = address(err, "Target for calloc:");
        assertThat(address(err, "calloc #7:")).isEqualTo(target);
        assertThat(target).isGreaterThan(0x7ff000000000L);
    }

    @Test
    void fastbinDupConsolidate() {
        String out = runExpectingDeclaredStatus(FastbinDupConsolidate.class).stdout();
        // stdout's 4 KiB buffer (chunk 0x555555559290, size 0x1010) comes first, as in C
        assertThat(out)
                .contains("p1 = malloc(0x40) = 0x55555555a4e0\n")
                .contains("p2 = malloc(0x400) = 0x55555555a4e0, size word 0x411\n")
                .contains("p3 = malloc(0x400) = 0x55555555a4e0\n")
                .endsWith("p2 = 0x55555555a4e0 and p3 = 0x55555555a4e0: two live pointers to one chunk, neither of them freed.\n");
    }

    @Test
    void tcachePoisoning() {
        String out = runExpectingDeclaredStatus(TcachePoisoning.class).stdout();
        assertThat(out)
                .contains("malloc(128): 0x5555555592a0\n")
                .contains("malloc(128): 0x555555559330\n")
                .contains("malloc #1: 0x555555559330\n");
        long target = address(out, "Target:");
        assertThat(target & 0xf).isZero();
        assertThat(address(out, "malloc #2:")).isEqualTo(target);
    }

    @Test
    void tcacheHouseOfSpirit() {
        String out = runExpectingDeclaredStatus(TcacheHouseOfSpirit.class).stdout();
        long sizeWord = address(out, "The fake chunk's size word is at");
        assertThat(address(out, "Freeing")).isEqualTo(sizeWord + 8);
        assertThat(address(out, "malloc(0x30):")).isEqualTo(sizeWord + 8);
    }

    @Test
    void houseOfSpirit() {
        String out = runExpectingDeclaredStatus(HouseOfSpirit.class).stdout();
        long region = address(out, "Fake region at");
        assertThat(out).contains("calloc(1, 0x30): 0x" + Long.toHexString(region + 16) + ", fake chunk: 0x"
                + Long.toHexString(region + 16) + "\n");
    }

    @Test
    void unsafeUnlink() {
        String out = runExpectingDeclaredStatus(UnsafeUnlink.class).stdout();
        long global = address(out, "The global chunk0_ptr is at");
        assertThat(out)
                .contains("points to 0x5555555592a0.\n")
                .contains("The chunk to corrupt is at 0x5555555596d0.\n")
                .contains("chunk1's prev_size is now 0x420 instead of 0x430.\n")
                .contains("Original value: Hello!~\n")
                .contains("New value: BBBBAAAA\n");
        assertThat(address(out, "Fake chunk fd:")).isEqualTo(global - 0x18);
        assertThat(address(out, "Fake chunk bk:")).isEqualTo(global - 0x10);
        assertThat(address(out, "chunk0_ptr now holds")).isEqualTo(global - 0x18);
    }

    @Test
    void overlappingChunks() {
        String out = runExpectingDeclaredStatus(OverlappingChunks.class).stdout();
        assertThat(out)
                .contains("p1=0x5555555592a0\np2=0x555555559320\np3=0x555555559820\n")
                .contains("p4 = 0x555555559320 .. 0x555555559898\n")
                .contains("p3 = 0x555555559820 .. 0x555555559898\n")
                .contains("p3 lies inside p4: yes\n")
                .contains("after memset(p4, '4'): p3 starts with 44444444\n")
                .contains("after memset(p3, '3', 80): p4 + 0x500 holds 33333333\n");
    }

    @Test
    void mmapOverlappingChunks() {
        String out = runExpectingDeclaredStatus(MmapOverlappingChunks.class).stdout();
        assertThat(out).contains("malloc(0x10) = 0x5555555592a0, from the heap\n");
        // C (strace): mmap 0x101000 three times at 0x7ffff7cd1000, 0x7ffff7bd0000, 0x7ffff7acf000, munmap(0x7ffff7acf000,
        // 0x202000), mmap 0x301000 at 0x7ffff79d0000; our mappings sit near, not exactly there, so the relations
        long first = address(out, "first mmap chunk:  malloc(0x100000) =");
        long second = address(out, "second mmap chunk: malloc(0x100000) =");
        long third = address(out, "third mmap chunk:  malloc(0x100000) =");
        assertThat(first).isBetween(0x7ff000000000L, 0x7fffff000000L);
        assertThat(first & 0xfff).isEqualTo(0x10);
        assertThat(second).isEqualTo(first - 0x101000);
        assertThat(third).isEqualTo(second - 0x101000);
        assertThat(out)
                .contains("Third chunk: prev_size 0x0, size 0x101002\n")
                .contains("Its size word now covers the second chunk too: 0x202002\n")
                .contains("free(third) munmapped 0x202000 bytes")
                .contains("The second chunk lies 0x40000 words into it\n")
                .contains("second[0] before the write: 0x0\n")
                .contains("second[0] now reads 0x1122334455667788\n")
                .endsWith("The new chunk overlaps the second chunk, which the program still points at.\n");
        assertThat(out).contains("overlapping chunk: malloc(0x300000) = 0x" + Long.toHexString(first - 0x301000)
                + ", size word 0x301002\n");
    }

    @Test
    void sysmallocIntFree() {
        String out = runExpectingDeclaredStatus(SysmallocIntFree.class).stdout();
        // the C original's numbers; the size words after the free from a C program making the same calls
        assertThat(out)
                .contains("first top size  = 0x20d51\n")
                .contains("allocated size  = 0xbd0\n")
                .contains("block: chunk 0x5555555592b0, top at 0x555555559e90, size word 0x20171, top ends at 0x55555557a000\n")
                .contains("top's size word overwritten with 0x171: top now ends at 0x55555555a000, still page-aligned\n")
                .contains("malloc(0x160) = 0x55555557a010, from a new top at the break; the old top was freed:\n")
                .contains("freed chunk 0x555555559e90, size word 0x151; fencepost at 0x555555559fe0, size word 0x11\n")
                .endsWith("malloc(0x140) = 0x555555559ea0, the freed old top, from the tcache\n");
    }

    @Test
    void houseOfTangerine() {
        String out = runExpectingDeclaredStatus(HouseOfTangerine.class).stdout();
        // the original's numbers; the blocks' addresses from a copy that prints them
        assertThat(out)
                .contains("first top size = 0x20d51\n")
                .contains("size_2 = 0xce0\n")
                .contains("malloc(0xce0) = 0x5555555592c0; top at 0x555555559fa0, size word 0x20061\n")
                .contains("malloc(0xf90) = 0x55555557a010, from a new top;")
                .contains("current top size = 0x21061\n")
                .contains("tcache next ptr: 0x55555557afb0\n")
                .contains("malloc(0xf90) = 0x55555559c010; that top went to the 0x40 tcache too\n")
                .contains("malloc(0x30) = 0x55555557afb0\n")
                .endsWith(", the target\nWIN\n");
        // C: target 0x7fffffffe6a0, link 0x7ffaaaaab3da (the target ^ 0x55555557a), the second malloc(0x30) the target
        long target = address(out, "target:");
        assertThat(target & 0xf).isZero();
        assertThat(address(out, "Its link is now")).isEqualTo(target ^ 0x55555557aL);
        assertThat(out).contains("malloc(0x30) = 0x" + Long.toHexString(target) + ", the target\n");
    }

    @Test
    void largeBinAttack() {
        String out = runExpectingDeclaredStatus(LargeBinAttack.class).stdout();
        assertThat(out)
                .contains("p1, a large chunk: 0x555555559290\n")
                .contains("p2, smaller, same large bin: 0x5555555596e0\n");
        long target = address(out, "Target at");
        assertThat(out).contains("Target (0x" + Long.toHexString(target) + "): 0x5555555596e0\n");
    }

    @Test
    void poisonNullByte() {
        String out = runExpectingDeclaredStatus(PoisonNullByte.class).stdout();
        assertThat(out)
                .contains("prev: malloc(0x500) = 0x555555560010\n")
                .contains("victim: malloc(0x4f0) = 0x555555560520\n")
                .contains("a: malloc(0x4f0) = 0x555555560a40\n")
                .contains("b: malloc(0x510) = 0x555555560f60\n")
                .contains("prev's fd_nextsize + 0x10: 0x555555560a40 (a)\n")
                .contains("prev's bk_nextsize + 0x10: 0x555555560f60 (b)\n")
                .contains("prev2: malloc(0x500) = 0x555555560010\n")
                .contains("b->fd + 0x10: 0x555555560a40 (a)\n")
                .contains("b->fd: 0x555555560010\n")
                .contains("a->bk: 0x555555560510, victim: 0x555555560520\n")
                .contains("a->bk: 0x555555560010\n")
                .contains("merged: malloc(0x100) = 0x555555560020\n")
                .contains("after writing prev2, merged holds: CCCCCCCCCCCCCCCC...\n");
    }

    @Test
    void houseOfBotcake() {
        String out = runExpectingDeclaredStatus(HouseOfBotcake.class).stdout();
        assertThat(out)
                .contains("prev: malloc(0x100) = 0x555555559a10\n")
                .contains("a: malloc(0x100) = 0x555555559b20\n")
                .contains("free(prev): merged with a into 0x555555559a00, size word 0x221, in the unsorted bin\n")
                .contains("malloc(0x100) = 0x555555559900 makes room in the tcache\n")
                .contains("free(a) again: the tcache for 0x110 now starts with 0x555555559b20\n")
                .contains("malloc(0x210) = 0x555555559a10: it covers a (0x555555559b20) and its link\n")
                .contains("victim: 0x555555559b20, size 0x110, end 0x555555559c30\n");
        long target = address(out, "Target:");
        assertThat(target & 0xf).isZero();
        assertThat(out).contains("malloc(0x100) #2 = 0x" + Long.toHexString(target) + ", the target\n")
                .endsWith("The target now holds 0xcafebabe.\n");
    }

    @Test
    void tcacheStashingUnlinkAttack() {
        String out = runExpectingDeclaredStatus(TcacheStashingUnlinkAttack.class).stdout();
        long fake = address(out, "Fake chunk:");
        assertThat(address(out, "its bk:")).isEqualTo(fake + 0x10);
        assertThat(out)
                .contains("stack_var[4] holds 0x0\n")
                .contains("chunk0: 0x5555555592a0, chunk2: 0x5555555593e0\n")
                .contains("malloc(0xa0) = 0x555555559840 sorts chunk0 and chunk2 into the 0xa0 small bin\n")
                .contains("malloc(0x90) twice: 0x555555559340, 0x5555555597a0; five 0xa0 chunks left in the tcache\n")
                .contains("chunk2->bk = 0x" + Long.toHexString(fake) + " (was ")
                .contains("calloc(1, 0x90) = 0x5555555592a0\n")
                .contains("The fake chunk's tcache link, unmangled: 0x5555555593e0 (chunk2)\n");
        // main_arena's bin for 0xa0 chunks (0x7ffff7fa8d50 in C; our libc sits near, not exactly there)
        long bin = address(out, "(was");
        assertThat(bin).isBetween(0x7ff000000000L, 0x7fffff000000L);
        assertThat(address(out, "stack_var[4] now holds")).isEqualTo(bin);
        assertThat(address(out, "malloc(0x90) ="))
                .as("the first malloc(0x90) after calloc returns the fake chunk's user data").isEqualTo(fake + 0x10);
    }

    @Test
    void houseOfLore() {
        CProcess.Captured r = runExpectingDeclaredStatus(HouseOfLore.class);
        String err = r.stderr();
        assertThat(r.stdout()).isEmpty();
        assertThat(err)
                .contains("victim = malloc(0x100) = 0x5555555592a0\n")
                .contains("p5 = malloc(1000) = 0x555555559b20 keeps victim away from top\n")
                .contains("p2 = malloc(1200) = 0x555555559f10; it sorted victim into the 0x110 small bin:\n")
                .contains("p3 = malloc(0x100) = 0x5555555592a0, victim, from the small bin;");
        // the locals lie as gcc -O0 put them (C: fake_freelist 0x7fffffffe590, stack_buffer_2 +0xe0, stack_buffer_1 +0x100)
        long sb1 = address(err, "stack_buffer_1 at");
        long sb2 = address(err, "stack_buffer_2 at");
        long freelist = address(err, "fake free list at");
        assertThat(sb2).isEqualTo(freelist + 0xe0);
        assertThat(sb1).isEqualTo(freelist + 0x100);
        // victim's fd and bk: the unsorted bin (C: 0x7ffff7fa8cc0), then the 0x110 small bin 0x100 further on
        long unsorted = address(err, "victim->fd:");
        assertThat(unsorted).isBetween(0x7ff000000000L, 0x7fffff000000L);
        assertThat(address(err, "victim->bk:")).isEqualTo(unsorted);
        String sorted = err.substring(err.indexOf("p2 = malloc(1200)"));
        assertThat(address(sorted, "victim->fd:")).isEqualTo(unsorted + 0x100);
        assertThat(address(sorted, "victim->bk:")).isEqualTo(unsorted + 0x100);
        // C: p4 is 0x7fffffffe620, fake_freelist + 0x90; stack_buffer_2's fd 0x7ff80000195e
        assertThat(err).contains("p4 = malloc(0x100) = 0x" + Long.toHexString(freelist + 0x90) + ", on the stack");
        long link = ((sb2 + 16) >> 12) ^ (sb1 + 16);
        assertThat(err).contains("stack_buffer_2's fd is now 0x" + Long.toHexString(link)
                + ", a tcache link: unmangled 0x" + Long.toHexString(sb1 + 16) + " (stack_buffer_1 + 0x10)\n");
    }

    @Test
    void fastbinReverseIntoTcache() {
        String out = runExpectingDeclaredStatus(FastbinReverseIntoTcache.class).stdout();
        assertThat(out)
                .contains("victim: 0x5555555594d0\n")
                .contains("Seven malloc(0x40) empty the tcache: 0x555555559480 .. 0x5555555592a0\n")
                .contains("stack_var[2] = 0xcdcdcdcdcdcdcdcd, stack_var[3] = 0xcdcdcdcdcdcdcdcd\n")
                .contains("malloc(0x40) = 0x5555555596b0, from the fastbin; six chunks and the target refill the tcache\n")
                .contains("stack_var[2], unmangled: 0x5555555594d0 (victim)\n")
                .contains("stack_var[3] is the tcache key (the same as victim's): yes\n");
        long target = address(out, "Target: &stack_var[2] =");
        assertThat(target & 0xf).isZero();
        assertThat(address(out, "malloc(0x40) again =")).isEqualTo(target);
    }

    @Test
    void houseOfEinherjar() {
        String out = runExpectingDeclaredStatus(HouseOfEinherjar.class).stdout();
        assertThat(out)
                .contains("a: malloc(0x38) = 0x5555555592a0, holding a fake chunk: size 0x60, fd 0x5555555592a0, bk 0x5555555592a0\n")
                .contains("b: malloc(0x28) = 0x5555555592e0, usable size 0x28\n")
                .contains("c: malloc(0xf8) = 0x555555559310, size word 0x101\n")
                .contains("After the off-by-one NUL, c's size word is 0x100\n")
                .contains("Fake prev_size: 0x555555559300 - 0x5555555592a0 = 0x60\n")
                .contains("free(c) merges it with the fake chunk, whose size word is now 0x161\n")
                .contains("d: malloc(0x158) = 0x5555555592b0, overlapping b\n")
                .contains("The 0x30 tcache: [ 0x5555555592e0 -> 0x555555559b10 ]\n");
        long target = address(out, "Target:");
        assertThat(target & 0xf).isZero();
        assertThat(out).contains("e: malloc(0x28) = 0x" + Long.toHexString(target) + ", the target\n");
    }

    @Test
    void tcacheMetadataPoisoning() {
        String out = runExpectingDeclaredStatus(TcacheMetadataPoisoning.class).stdout();
        assertThat(out)
                .contains("victim: malloc(0x10) = 0x5555555592a0\n")
                .contains("The tcache struct is 0x280 bytes; it starts at 0x555555559010\n");
        // C, with the target aligned to 16 (the original's ends in 8 here, 0x7fffffffe6d8, and aborts with
        // "malloc(): unaligned tcache chunk detected"): malloc(0x20) returns 0x7fffffffe6d0, still holding 0x1337
        long target = address(out, "entries[1] =");
        assertThat(target & 0xf).isZero();
        assertThat(out).contains("counts[1] = 1, entries[1] = ")
                .endsWith("malloc(0x20) = 0x" + Long.toHexString(target) + ", holding 0x1337\n");
    }

    @Test
    void houseOfWater() {
        String out = runExpectingDeclaredStatus(HouseOfWater.class).stdout();
        // C's heap starts at 0x55555555a000 (the original's binary is a page longer), ours at 0x555555559000:
        // every address below is C's minus 0x1000; the tcache heads and the fake chunk from a copy printing them
        assertThat(out)
                .contains("relative_chunk: 0x5555555592a0\nsmall_start:    0x555555559350\nsmall_end:      0x555555559400\n")
                .contains("Freed a fake 0x330 chunk at 0x555555559330 and a fake 0x320 chunk at 0x5555555593e0\n")
                .contains("then malloc(0x700) = 0x5555555598a0 sorts them")
                .contains("tcache head for 0x320 (0x555555559210): 0x5555555593f0 (small_end's chunk)\n")
                .contains("tcache head for 0x330 (0x555555559218): 0x555555559340 (small_start's chunk)\n")
                .contains("fake chunk at 0x555555559200: prev_size 0x0, size 0x0, fd 0x5555555593f0, bk 0x555555559340\n")
                .contains("small_start->fd = 0x555555559200, small_end->bk = 0x555555559200:")
                .contains("malloc(0x88) = 0x555555559400 (small_end,")
                .contains("malloc(0x88) = 0x555555559350 (small_start)\n")
                .endsWith("malloc(0x88) = 0x555555559210, inside the tcache struct at 0x555555559000\n");
    }

    @Test
    void safeLinkDoubleProtect() {
        String out = runExpectingDeclaredStatus(SafeLinkDoubleProtect.class).stdout();
        assertThat(out)
                .contains("It contains: Replace me!\n")
                .contains("0x40 chunks: a 0x5555555592a0, b 0x5555555592e0\n")
                .contains("0x20 chunks: c 0x555555559320, d 0x555555559340\n")
                .contains("0x40 tcache: [0x5555555592e0 -> 0x5555555592a0]\n")
                .contains("0x20 tcache: [0x555555559340 -> 0x555555559320]\n")
                .contains("First  malloc(0x18): 0x5555555590a0\n")
                .endsWith("The string now contains: XXXXXXX HIJACKED!\n");
        // C: goal 0x7fffffffe6a4, value 0x555555559360 holding 0x7fffffffe6a0, protected once 0x7ffaaaaab3f9
        // (^ 0x555555559), the second malloc(0x18) 0x7fffffffe6a0
        long goal = address(out, "Goal: the stack string at");
        assertThat(goal & 0xf).isEqualTo(4);
        long target = goal & ~0xfL;
        String once = "0x" + Long.toHexString(target ^ 0x555555559L);
        assertThat(out)
                .contains("value: 0x555555559360 holds 0x" + Long.toHexString(target) + "\n")
                .contains("0x40 tcache: [0x555555559360 -> " + once + "]")
                .contains("0x40 tcache: [" + once + "], the target protected once\n")
                .contains("0x20 tcache: [0x5555555590a0 -> 0x" + Long.toHexString(target) + "]")
                .contains("Second malloc(0x18): 0x" + Long.toHexString(target) + "\n");
    }

    @Test
    void tcacheRelativeWrite() {
        String out = runExpectingDeclaredStatus(TcacheRelativeWrite.class).stdout();
        // the original's numbers, and the blocks from a copy that prints them
        assertThat(out)
                .contains("p1 = 0x5555555592a0, p2 = 0x5555555596c0 (size word 0x111);")
                .contains("mp_.tcache_bins is now 0x7fffffffffff\n")
                .contains("counts at 0x555555559010; p2's size word + 2 is 0x6aa bytes past them: nb = 0x3570\n")
                .contains("malloc(0x3560) = 0x5555555597d0\n")
                .contains("free(p): p2's size word is now 0x10110\n")
                .contains("free(p2); malloc(0x10100) = 0x5555555596c0, p2 again, 0x10110 bytes\n")
                .contains("heads at 0x555555559090; p1's fd is 0x210 bytes past them: nb = 0x440\n")
                .contains("malloc(0x430) = 0x55555555cd40\n")
                .endsWith("free(p): p1's fd is now 0x55555555cd40\n");
        // C: the unsorted bin 0x7ffff7fa8cc0, &mp_.tcache_bins 0x7ffff7fa83a8 (0x918 below) holding 64 (gdb)
        long unsorted = address(out, "p1's fd is");
        assertThat(unsorted).isBetween(0x7ff000000000L, 0x7fffff000000L);
        assertThat(out).contains("&mp_.tcache_bins: 0x" + Long.toHexString(unsorted - 0x918) + ", holding 64\n");
    }

    @Test
    void decryptSafeLinking() {
        String out = runExpectingDeclaredStatus(DecryptSafeLinking.class).stdout();
        assertThat(out)
                .contains("a: 0x5555555592a0, b: 0x5555555592d0")
                .contains("The 0x30 tcache: [ 0x5555555592d0 -> 0x5555555592a0 ]\n")
                .contains("Stored in b: 0x55500000c7f9\n")
                .contains("round 1: key 0x000000000000, plain 0x000000000000\n")
                .contains("round 2: key 0x000550000000, plain 0x550000000000\n")
                .contains("round 3: key 0x000555550000, plain 0x555550000000\n")
                .contains("round 4: key 0x000555555550, plain 0x555555550000\n")
                .contains("round 5: key 0x000555555559, plain 0x5555555592a0\n")
                .endsWith("Recovered: 0x5555555592a0 (a: 0x5555555592a0)\n");
    }
}
