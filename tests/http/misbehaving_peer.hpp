// A Twilio that misbehaves at the socket: a raw TCP peer on 127.0.0.1 that
// reads each request's head and then answers as the test scripts it, in ways
// a well-behaved HTTP server (ours, Beast) never would: a reset connection, a
// body shorter than its Content-Length, a body that never ends. One
// connection at a time; every connection is one request.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace callscribe::testing {

class misbehaving_peer {
public:
  enum class act {
    reset,     // RST instead of an answer
    truncated, // Content-Length 100000, 1000 bytes, then close
    endless,   // a chunked body that goes on until the client hangs up (or 60 s)
    answer,    // `status`, `headers`, `body` as given
  };
  struct script {
    act what = act::answer;
    int status = 200;
    std::vector<std::string> headers; // "Name: value"
    std::string body;
  };
  static script doing(act what) {
    script s;
    s.what = what;
    return s;
  }
  // Gets the request's number (0, 1, ...) and its head; says what to do.
  using scripting = std::function<script(int n, const std::string& head)>;

  explicit misbehaving_peer(scripting s) : script_(std::move(s)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("misbehaving_peer: cannot listen on 127.0.0.1");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~misbehaving_peer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  misbehaving_peer(const misbehaving_peer&) = delete;
  misbehaving_peer& operator=(const misbehaving_peer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }
  std::vector<std::string> heads() const {
    std::lock_guard<std::mutex> lock(m_);
    return heads_;
  }
  std::size_t endless_bytes_sent() const { return endless_sent_; }

private:
  static bool readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
  }
  static bool send_all(int fd, const std::string& s) {
    std::size_t at = 0;
    while (at < s.size()) {
      auto n = ::send(fd, s.data() + at, s.size() - at, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      at += static_cast<std::size_t>(n);
    }
    return true;
  }

  void run() {
    while (!stop_) {
      if (!readable(listener_, 50))
        continue;
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0)
        continue;
      serve(fd);
    }
  }

  void serve(int fd) {
    std::string head;
    char buf[4096];
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (head.find("\r\n\r\n") == std::string::npos && std::chrono::steady_clock::now() < give_up) {
      if (!readable(fd, 100))
        continue;
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    const int n = requests_++;
    {
      std::lock_guard<std::mutex> lock(m_);
      heads_.push_back(head);
    }
    const script s = script_(n, head);
    switch (s.what) {
    case act::reset: {
      linger l{1, 0}; // close with RST
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
      break;
    }
    case act::truncated:
      send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Length: 100000\r\n\r\n" +
                       std::string(1000, 'x'));
      break;
    case act::endless: {
      send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nTransfer-Encoding: chunked\r\n\r\n");
      const std::string chunk = "10000\r\n" + std::string(0x10000, 'y') + "\r\n";
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (!stop_ && std::chrono::steady_clock::now() < until && send_all(fd, chunk))
        endless_sent_ += 0x10000;
      break;
    }
    case act::answer: {
      std::string out = "HTTP/1.1 " + std::to_string(s.status) + " Scripted\r\n";
      for (const auto& h : s.headers)
        out += h + "\r\n";
      out += "Content-Length: " + std::to_string(s.body.size()) + "\r\nConnection: close\r\n\r\n" + s.body;
      send_all(fd, out);
      break;
    }
    }
    ::close(fd);
  }

  scripting script_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::atomic<std::size_t> endless_sent_{0};
  mutable std::mutex m_;
  std::vector<std::string> heads_;
  std::thread thread_;
};

} // namespace callscribe::testing
