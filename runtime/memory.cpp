#include "runtime/memory.hpp"

#include <malloc.h>

namespace brook::runtime {

void keep_freed_buffers() {
  constexpr int max_mmap_threshold = 32 << 20;  // glibc's upper limit on 64-bit
  mallopt(M_MMAP_THRESHOLD, max_mmap_threshold);
  mallopt(M_TRIM_THRESHOLD, 4 * max_mmap_threshold);
}

}  // namespace brook::runtime
