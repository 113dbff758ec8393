// A frame with file parts (zero-copy fetch): a plaintext connection writes the bytes and the
// file ranges in order with sendfile, waiting while the client does not read; a range the file
// no longer holds closes the connection instead of sending a short frame.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "net/frame_server.hpp"
#include "tests/temp_dir.hpp"

namespace brook::net {
namespace {

using runtime::bytes;

bytes as_bytes(const std::string& s) { return bytes(s.begin(), s.end()); }

// Answers a frame "ok", "short" or "proc" with [length]["head"][file range]["tail"]: the range
// given, the same 1 MiB further on, or the start of /proc/self/status (which pread reads but
// sendfile refuses with EINVAL, as a file system without sendfile support would).
class file_answering_handler : public frame_handler {
 public:
  file_answering_handler(std::shared_ptr<connection> c, runtime::file_slice file,
                         runtime::file_slice proc)
      : conn_(std::move(c)), file_(std::move(file)), proc_(std::move(proc)) {}
  void on_frame(const uint8_t* p, size_t n) override {
    outgoing_frame f;
    f.data = as_bytes(std::string(4, '\0') + "head");
    std::string what(reinterpret_cast<const char*>(p), n);
    auto slice = what == "proc" ? proc_ : file_;
    if (what == "short") slice.position += 1 << 20;
    f.files.push_back({f.data.size(), slice});
    runtime::append_raw(f.data, "tail", 4);
    runtime::store_be32(f.data.data(), uint32_t(f.data.size() - 4 + slice.size));
    conn_->send(std::move(f));
  }
  void on_close() override {}

 private:
  std::shared_ptr<connection> conn_;
  runtime::file_slice file_, proc_;
};

void write_all(int fd, const bytes& b) {
  size_t done = 0;
  while (done < b.size()) {
    ssize_t n = ::send(fd, b.data() + done, b.size() - done, MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    done += size_t(n);
  }
}

// Reads up to `n` bytes; fewer only when the server closed the connection.
bytes read_up_to(int fd, size_t n) {
  bytes out(n);
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::recv(fd, out.data() + done, n - done, 0);
    if (r <= 0) break;
    done += size_t(r);
  }
  out.resize(done);
  return out;
}

TEST(frame_server_files, file_parts_go_out_in_place_and_a_cut_range_closes) {
  testutil::temp_dir dir;
  std::string path = dir.path() + "/segment.log";
  std::string content;
  for (int i = 0; content.size() < (3u << 20); ++i) content += std::to_string(i) + ",";
  std::ofstream(path, std::ios::binary) << content;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto owner = std::shared_ptr<int>(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  // 2 MiB from offset 1000: far more than the socket buffers hold, so the writer has to wait.
  runtime::file_slice file{owner, fd, 1000, 2u << 20};
  int proc_fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(proc_fd, 0);
  auto proc_owner = std::shared_ptr<int>(new int(proc_fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  runtime::file_slice proc{proc_owner, proc_fd, 0, 6};  // "Name:\t"

  io_pool pool(1);
  frame_server server(pool, runtime::endpoint{"127.0.0.1", 0}, server_options{},
                      [&](std::shared_ptr<connection> c) {
                        return std::make_unique<file_answering_handler>(std::move(c), file, proc);
                      });
  auto port = server.start();
  ASSERT_TRUE(port.has_value());

  int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(*port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{10, 0};
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

  auto request = [&](const std::string& body) {
    bytes frame(4);
    runtime::store_be32(frame.data(), uint32_t(body.size()));
    runtime::append_raw(frame, body.data(), body.size());
    write_all(sock, frame);
  };
  request("ok");
  request("ok");  // queued behind the first, which is still being written
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::string expected = "head" + content.substr(1000, 2u << 20) + "tail";
  for (int i = 0; i < 2; ++i) {
    auto len = read_up_to(sock, 4);
    ASSERT_EQ(len.size(), 4u);
    EXPECT_EQ(runtime::load_be32(len.data()), expected.size());
    auto payload = read_up_to(sock, expected.size());
    ASSERT_EQ(payload.size(), expected.size());
    EXPECT_TRUE(payload == as_bytes(expected)) << "frame " << i << " differs";
  }

  // No sendfile from this file: the part goes as bytes read from it.
  request("proc");
  auto plen = read_up_to(sock, 4);
  ASSERT_EQ(plen.size(), 4u);
  ASSERT_EQ(runtime::load_be32(plen.data()), 14u);
  auto proc_frame = read_up_to(sock, 14);
  EXPECT_TRUE(proc_frame == as_bytes("headName:\ttail"));

  // The range now starts 1 MiB further and runs past the end of the file.
  request("short");
  auto len = read_up_to(sock, 4);
  ASSERT_EQ(len.size(), 4u);
  size_t declared = runtime::load_be32(len.data());
  auto payload = read_up_to(sock, declared);
  EXPECT_LT(payload.size(), declared);  // closed, not padded or left hanging
  ::close(sock);
  server.stop();
  pool.stop();
}

}  // namespace
}  // namespace brook::net
