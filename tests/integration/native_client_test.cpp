// The native client gives back everything a connection held once it is closed: a program that
// connects again and again (a CLI loop, a client polling metadata through a failover) must not run
// out of file descriptors.
#include <dirent.h>
#include <gtest/gtest.h>

#include "harness.hpp"
#include "net/native_client.hpp"
#include "net/native_codec.hpp"

using namespace brook;
using namespace std::chrono_literals;

namespace {

size_t open_descriptors() {
  size_t n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

TEST(NativeClient, ClosedConnectionsGiveBackTheirDescriptors) {
  itest::temp_dir dir;
  itest::brookd_process broker{dir.path()};
  ASSERT_TRUE(broker.start()) << broker.log();
  const runtime::endpoint at{"127.0.0.1", broker.port()};
  const net::metadata_request md{{}, false, false};
  auto round = [&] {
    auto c = net::native_client::connect(at, 2s);
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->call<net::metadata_response>(net::native_type::metadata, md, 5s));
  };
  round();  // one-time allocations (resolver, logging) before counting
  const size_t before = open_descriptors();
  for (int i = 0; i < 300; ++i) round();
  // Refused connections too: a port nothing listens on.
  const runtime::endpoint nobody{"127.0.0.1", itest::free_port()};
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(net::native_client::connect(nobody, 2s));
  // A connection the broker closes (its process killed) while the client still holds it.
  auto held = net::native_client::connect(at, 2s);
  ASSERT_TRUE(held);
  broker.kill9();
  EXPECT_TRUE(itest::eventually([&] { return !(*held)->is_open(); }, 10s));
  held->reset();
  // Each leaked connection kept an io_context's three descriptors: 400 rounds would show ~1200.
  EXPECT_LE(open_descriptors(), before + 5);
}

}  // namespace
