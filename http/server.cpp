// The HTTP server, in the style of Beast's async examples: a listener hands
// each accepted socket to a session, which reads one request at a time,
// routes it, and writes whatever the handler replies, from any thread.
#include "http/server.hpp"

#include "http/routing.hpp"

#include "fault/fault_point.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace callscribe::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Shared by the server and every reply_fn it hands out: once the server
// stops, a late reply must not post to an io_context that is going away.
struct lifetime {
  std::mutex m;
  bool stopped = false;
};

struct shared_config {
  server_options options;
  std::vector<route> routes;
  std::shared_ptr<lifetime> life;
};

bool has_line_break(const std::string& s) {
  return s.find_first_of("\r\n") != std::string::npos;
}

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket&& socket, std::shared_ptr<const shared_config> config)
      : stream_(std::move(socket)), config_(std::move(config)), reply_timer_(stream_.get_executor()) {}

  void run() {
    // Start on the session's strand: every member below runs there.
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::do_read, shared_from_this()));
  }

  // Called (through post) on the strand with a handler's answer.
  void on_reply(response r) {
    if (!waiting_for_reply_)
      return; // the reply came after the session gave up on it
    waiting_for_reply_ = false;
    reply_timer_.cancel();
    send(std::move(r), false);
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

private:
  const server_options& options() const { return config_->options; }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(options().body_limit);
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(options().header_limit, UINT32_MAX)));
    stream_.expires_after(options().read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec)
      return on_read_error(ec);
    const auto& req = parser_->get();
    // curl and others wait up to a second for "100 Continue" before sending
    // a body; answer it at once (the body limit was checked on the header).
    if (!parser_->is_done() && beast::iequals(req[bhttp::field::expect], "100-continue")) {
      auto cont =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, req.version());
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                           if (wec)
                             return self->close();
                           self->read_body();
                         });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == bhttp::error::partial_message)
      return close();
    version_ = 11;
    if (ec == bhttp::error::body_limit)
      return send(text_response(413, "request body over " + std::to_string(options().body_limit) + " bytes"),
                  true);
    if (ec == bhttp::error::header_limit)
      return send(text_response(431, "request header fields over " + std::to_string(options().header_limit) +
                                         " bytes"),
                  true);
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category())
      return send(text_response(400, "bad request: " + ec.message()), true);
    close(); // a socket error: nobody left to answer
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return on_read_error(ec);
    const auto& in = parser_->get();
    version_ = in.version();
    keep_alive_ = in.keep_alive();

    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& field : in)
      headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    const request req = make_request(std::string(in.method_string()), std::string(in.target()),
                                     std::move(headers), std::move(parser_->get().body()));
    const route_match match = match_route(config_->routes, req);
    if (!match.found)
      return send(match.refusal, false);
    const route* found = match.found;

    // The handler may answer now or later from another thread; a timer
    // closes the connection if it never does.
    waiting_for_reply_ = true;
    reply_timer_.expires_after(options().read_timeout);
    reply_timer_.async_wait([self = shared_from_this()](beast::error_code tec) {
      if (!tec && self->waiting_for_reply_) {
        self->waiting_for_reply_ = false;
        self->close();
      }
    });
    reply_fn reply = make_reply_fn();
    try {
      found->fn(req, reply);
    } catch (...) {
      // One line, and nothing from the exception: it may name internals.
      reply(text_response(500, "internal error"));
    }
  }

  reply_fn make_reply_fn() {
    // Holds the session weakly: the pending timer keeps it alive while a
    // reply is due, and a reply_fn kept by someone forever keeps nothing.
    struct reply_state {
      std::atomic<bool> used{false};
      std::weak_ptr<session> target;
      std::shared_ptr<lifetime> life;
    };
    auto state = std::make_shared<reply_state>();
    state->target = weak_from_this();
    state->life = config_->life;
    return [state](response r) {
      if (state->used.exchange(true))
        return; // a second reply is ignored
      std::lock_guard<std::mutex> lock(state->life->m);
      if (state->life->stopped)
        return;
      if (auto s = state->target.lock())
        net::post(s->executor(), [s, r = std::move(r)]() mutable { s->on_reply(std::move(r)); });
    };
  }

  void send(response r, bool close_after) {
    if (r.status < 100 || r.status > 999)
      r = text_response(500, "internal error");
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(r.status));
    res->set(bhttp::field::server, "callscribe");
    res->set(bhttp::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers)
      if (!name.empty() && !has_line_break(name) && !has_line_break(value)) // no header injection
        res->insert(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !close_after);
    res->prepare_payload();
    stream_.expires_after(options().read_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec)
        return self->close();
      fault_point("after_answer"); // the answer is on the wire (fault tests only)
      if (res->need_eof())
        return self->shutdown();
      self->do_read();
    });
  }

  void shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<const shared_config> config_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  net::steady_timer reply_timer_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool waiting_for_reply_ = false;
};

class listener : public std::enable_shared_from_this<listener> {
public:
  listener(net::io_context& ioc, std::shared_ptr<const shared_config> config)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), retry_timer_(acceptor_.get_executor()),
        config_(std::move(config)) {}

  // Throws boost::system::system_error.
  void listen(const tcp::endpoint& endpoint) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void run() {
    net::dispatch(acceptor_.get_executor(),
                  beast::bind_front_handler(&listener::do_accept, shared_from_this()));
  }

  void close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
      self->retry_timer_.cancel();
    });
  }

private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open())
      return;
    if (ec) {
      // Out of descriptors, most likely: pause rather than spin.
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([self = shared_from_this()](beast::error_code tec) {
        if (!tec && self->acceptor_.is_open())
          self->do_accept();
      });
      return;
    }
    std::make_shared<session>(std::move(socket), config_)->run();
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
  std::shared_ptr<const shared_config> config_;
};

} // namespace

struct server::impl {
  server_options options;
  std::vector<route> routes;
  std::shared_ptr<lifetime> life;
  // Declared before the listener so that it outlives it.
  std::unique_ptr<net::io_context> ioc;
  std::shared_ptr<listener> accept;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
};

server::server(server_options options, std::vector<route> routes) : impl_(std::make_unique<impl>()) {
  impl_->options = std::move(options);
  impl_->routes = std::move(routes);
}

server::~server() {
  stop();
}

void server::start() {
  if (impl_->ioc)
    return; // already serving
  const auto& o = impl_->options;
  int threads = std::max(1, o.threads);
  auto life = std::make_shared<lifetime>();
  auto config = std::make_shared<shared_config>(shared_config{o, impl_->routes, life});
  auto ioc = std::make_unique<net::io_context>(threads);
  auto accept = std::make_shared<listener>(*ioc, config);
  try {
    tcp::resolver resolver(*ioc);
    auto endpoints = resolver.resolve(o.host, std::to_string(o.port), tcp::resolver::passive);
    if (endpoints.empty())
      throw std::runtime_error("no address");
    accept->listen(endpoints.begin()->endpoint());
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + e.what());
  }
  impl_->port = accept->port();
  accept->run();
  impl_->life = std::move(life);
  impl_->accept = std::move(accept);
  impl_->ioc = std::move(ioc);
  for (int i = 0; i < threads; ++i)
    impl_->threads.emplace_back([ioc = impl_->ioc.get()] {
      for (;;) {
        try {
          ioc->run();
          return;
        } catch (...) {
          // A throwing completion handler must not take the server down;
          // ours catch, so this is a last resort.
        }
      }
    });
}

std::uint16_t server::port() const {
  return impl_->port;
}

void server::stop() {
  if (!impl_ || !impl_->ioc)
    return;
  {
    std::lock_guard<std::mutex> lock(impl_->life->m);
    impl_->life->stopped = true;
  }
  impl_->accept->close();
  impl_->ioc->stop();
  for (auto& t : impl_->threads)
    t.join();
  impl_->threads.clear();
  impl_->accept.reset();
  impl_->ioc.reset(); // destroys pending handlers, and with them the sessions
}

} // namespace callscribe::http
