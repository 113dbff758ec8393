#pragma once
// Process-wide allocator settings for Brook's programs (brookd, brook), not for libraries.

namespace brook::runtime {

/// Keeps freed buffers of up to 32 MiB in the heap for reuse instead of returning them to the
/// kernel. glibc serves allocations above its mmap threshold (128 KiB at first) with fresh
/// mappings and trims the heap top above 2x that, so every fetch's ~1 MiB buffers were
/// page-faulted in and zeroed by the kernel again: measured side by side, this made a fetch
/// path ~30% faster (docs/performance.md). Call once, first thing in main().
void keep_freed_buffers();

}  // namespace brook::runtime
