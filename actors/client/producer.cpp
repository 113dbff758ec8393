#include "actors/client/producer.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <climits>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "actors/client/client_metadata.hpp"
#include "actors/type_ids.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"
#include "runtime/partitioner.hpp"
#include "runtime/producer_state.hpp"

namespace brook::client {

using runtime::errc;
using runtime::status;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

using actors::ready_atom;
using actors::retry_atom;
using actors::sent_atom;

/// The producer's sender: drains the accumulator and talks to partition leaders.
using producer_actor = caf::typed_actor<
    // producer facade -> sender: batches are ready (full, urgent, flushed) or may have lingered
    caf::reacts_to<ready_atom>,
    // connection I/O thread -> sender: the response for in-flight batch `id`
    caf::reacts_to<sent_atom, uint64_t, net::produce_response>,
    // self -> self: retry batch `id` after its backoff
    caf::reacts_to<retry_atom, uint64_t>>;

// Kafka's max.request.size default: the most bytes of batches one produce request carries
// (a single larger batch still goes alone).
constexpr size_t max_request_bytes = 1048576;

// Bytes a record is charged against buffer.memory and batch.size (encoded size plus framing).
size_t record_size(const producer_record& r) {
  size_t n = 24 + (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
  for (const auto& h : r.headers) n += 8 + h.key.size() + (h.value ? h.value->size() : 0);
  return n;
}

// Records of one partition on their way: open in the accumulator, then sealed, then in flight.
struct batch {
  uint64_t id = 0;
  std::string topic;
  int32_t partition = 0;
  bool urgent = false;
  runtime::batch_builder builder;
  runtime::bytes data;  // built when the batch leaves the accumulator
  std::vector<delivery_callback> callbacks;
  size_t reserved = 0;  // bytes charged against buffer.memory
  clock_type::time_point created;
  int attempts = 0;
};

}  // namespace

struct producer::impl {
  producer_config cfg;
  caf::actor_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<client_metadata> meta;
  producer_actor sender;

  // The accumulator; guarded by mu.
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<batch>> open;
  std::deque<std::unique_ptr<batch>> sealed;
  std::map<std::string, int32_t> sticky;
  // send()'s memory of the last record's partition, so a run of records to one partition skips
  // the string-keyed lookups: its slot in `open` (forgotten whenever `open` loses an entry) and
  // whether the sticky partitioner chose it (forgotten when it moves on).
  struct {
    std::string topic;
    int32_t partition = -1;
    std::unique_ptr<batch>* slot = nullptr;
    bool sticky = false;
  } last;
  size_t buffered = 0;
  size_t outstanding = 0;  // records without a delivery result yet
  bool flushing = false;
  bool closed = false;
  uint64_t next_id = 1;
  std::mt19937 rng{std::random_device{}()};
  std::atomic<bool> drain_pending{false};
  // When the one linger timer (a delayed `ready` to the sender) fires, if one is pending: a new
  // batch does not schedule its own while an earlier one is (with small batches that would be
  // a timer per batch); collect() arms it again for what is still open.
  std::optional<clock_type::time_point> linger_timer;
  // Idempotence: id/epoch from the broker; next sequence per partition (sender actor only).
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::map<std::pair<std::string, int32_t>, int32_t> next_sequence;

  // Owned by the current sender actor (survives its restarts so nothing is forgotten).
  // Built batches not sent yet, per partition in creation order (batch ids grow): sending costs
  // the partitions plus the batches sent, however many wait (a long leader outage piles up
  // thousands).
  std::map<std::pair<std::string, int32_t>, std::deque<std::unique_ptr<batch>>> pending;
  // Requests sent and not answered, by the id of their first batch: the batches of one partition
  // that were ready together travel in one request (at most max_request_bytes).
  std::map<uint64_t, std::vector<std::unique_ptr<batch>>> in_flight;
  std::map<uint64_t, std::unique_ptr<batch>> retrying;
  // Requests unanswered per partition on a connection: max.in.flight.requests.per.connection
  // applies per partition, because a native request carries one partition's batches (a Kafka
  // request carries every partition the broker leads, so Kafka's limit is per connection).
  using conn_partition = std::pair<const net::native_client*, std::pair<std::string, int32_t>>;
  std::map<conn_partition, int> in_flight_per_conn;
  // Batches of a partition sent and not answered yet, over every connection (a leader change
  // can leave some on the old leader's): never more than the broker's window of remembered
  // batches (producer_state_table::batches_kept), so a retried batch is recognized as a
  // duplicate.
  std::map<std::pair<std::string, int32_t>, int> in_flight_per_partition;
  // The connection of each in-flight batch, held so its address (the key above) cannot be reused
  // by a new connection while answers from the old one are still to come.
  std::map<uint64_t, std::shared_ptr<net::native_client>> conn_of;

  milliseconds linger_for(bool urgent, runtime::urgency u) const {
    if (urgent) return milliseconds(0);
    return milliseconds(u == runtime::urgency::flexible
                            ? std::max(cfg.linger_ms, cfg.flexible_linger_ms)
                            : cfg.linger_ms);
  }

  void wake_sender() {
    if (!drain_pending.exchange(true)) caf::anon_send(sender, ready_atom::value);
  }

  // Delivers the final result of every record in `b` and releases its buffer memory.
  void complete(batch& b, int64_t base_offset, const status& err) {
    delivery_report rep{b.topic, b.partition, -1, err};
    for (size_t i = 0; i < b.callbacks.size(); ++i) {
      if (!b.callbacks[i]) continue;
      rep.offset = err.is_ok() && base_offset >= 0 ? base_offset + int64_t(i) : -1;
      b.callbacks[i](rep);
    }
    std::lock_guard<std::mutex> g(mu);
    buffered -= b.reserved;
    outstanding -= b.callbacks.size();
    cv.notify_all();
  }
};

namespace {

struct sender_state {
  producer::impl* p = nullptr;
  static inline const char* name = "producer_sender";
};
using sender_ptr = producer_actor::stateful_pointer<sender_state>;

// Moves sealed and lingered batches out of the accumulator and builds their bytes.
void collect(producer::impl& p) {
  std::vector<std::unique_ptr<batch>> ready;
  std::optional<clock_type::duration> arm;  // the linger timer to schedule, from now
  {
    std::lock_guard<std::mutex> g(p.mu);
    p.drain_pending = false;
    for (auto& b : p.sealed) ready.push_back(std::move(b));
    p.sealed.clear();
    auto now = clock_type::now();
    if (p.linger_timer && *p.linger_timer <= now) p.linger_timer.reset();
    std::optional<clock_type::time_point> next_due;
    for (auto it = p.open.begin(); it != p.open.end();) {
      // Cached only: this runs under the accumulator lock and must not wait on the network.
      auto meta = p.meta->cached(it->first.first);
      auto due =
          it->second->created +
          p.linger_for(it->second->urgent, meta ? meta->urgency_class : runtime::urgency::normal);
      if (p.flushing || now >= due) {
        ready.push_back(std::move(it->second));
        it = p.open.erase(it);
        p.last.slot = nullptr;
      } else {
        next_due = next_due ? std::min(*next_due, due) : due;
        ++it;
      }
    }
    if (next_due && !p.linger_timer) {
      p.linger_timer = next_due;
      arm = *next_due - now;
    }
  }
  if (arm)
    caf::delayed_anon_send(p.sender,
                           std::chrono::duration_cast<milliseconds>(*arm) + milliseconds(1),
                           ready_atom::value);
  for (auto& b : ready) {
    if (p.producer_id >= 0) {
      auto& seq = p.next_sequence[{b->topic, b->partition}];
      b->builder.set_producer(p.producer_id, p.producer_epoch, seq);
      seq = int32_t((int64_t(seq) + int64_t(b->builder.record_count())) % (int64_t(INT32_MAX) + 1));
    }
    b->data = b->builder.build();
    b->builder = runtime::batch_builder();  // drop the capacity build() keeps for a next batch
    auto& queue = p.pending[{b->topic, b->partition}];
    queue.push_back(std::move(b));
  }
}

// Sends what the in-flight limits allow, each partition's batches oldest first. A partition
// waits while an older batch of it is being retried (so sequences reach the broker in order) or
// while it or its connection has max.in.flight requests outstanding.
void settle(sender_ptr self, uint64_t id, std::unique_ptr<batch> b, const net::produce_response& r);

// Sends the front batches of one partition's queue while its limits allow.
void send_partition(sender_ptr self, const std::pair<std::string, int32_t>& tp,
                    std::deque<std::unique_ptr<batch>>& queue) {
  auto& p = *self->state.p;
  while (!queue.empty()) {
    auto& b = queue.front();
    auto lane = b->urgent ? client_metadata::urgent : client_metadata::bulk;
    auto conn = p.meta->leader_connection(b->topic, b->partition, lane);
    if (!conn) {
      // No leader right now: a retriable send failure, settled at once; the partition's later
      // batches wait behind it.
      auto failed = std::move(b);
      auto id = failed->id;
      queue.pop_front();
      settle(self, id, std::move(failed),
             {conn.error().code(), conn.error().message(), -1, -1, {}});
      return;
    }
    auto key = producer::impl::conn_partition{conn->get(), tp};
    auto& partition_in_flight = p.in_flight_per_partition[tp];
    int window = int(runtime::producer_state_table::batches_kept);
    if (p.in_flight_per_conn[key] >= p.cfg.max_in_flight || partition_in_flight >= window) return;
    // The front batches that fit one request and the partition's window go together.
    std::vector<std::unique_ptr<batch>> sent;
    size_t bytes = 0;
    while (!queue.empty() && partition_in_flight + int(sent.size()) < window &&
           (sent.empty() || bytes + queue.front()->data.size() <= max_request_bytes)) {
      bytes += queue.front()->data.size();
      sent.push_back(std::move(queue.front()));
      queue.pop_front();
    }
    net::produce_request req{
        sent[0]->topic, sent[0]->partition, p.cfg.acks, int32_t(p.cfg.request_timeout_ms), {}};
    if (sent.size() == 1) {
      req.batch = std::move(sent[0]->data);
    } else {
      req.batch.reserve(bytes);
      for (const auto& b : sent) req.batch.insert(req.batch.end(), b->data.begin(), b->data.end());
    }
    auto corr = (*conn)->next_correlation_id();
    auto frame = net::encode_request(net::native_type::produce, corr, req);
    if (sent.size() == 1) sent[0]->data = std::move(req.batch);  // kept for a retry
    for (auto& b : sent) b->attempts++;
    auto id = sent[0]->id;
    if (p.cfg.acks == 0) {
      (*conn)->send(std::move(frame), corr, nullptr);
      for (auto& b : sent) p.complete(*b, -1, status{});
      continue;
    }
    p.in_flight_per_conn[key]++;
    partition_in_flight += int(sent.size());
    producer_actor me = self;
    (*conn)->send(std::move(frame), corr, [me, id](runtime::result<net::native_frame> f) {
      net::produce_response r;
      if (!f) {
        r.error = f.error().code() == errc::none ? errc::network_error : f.error().code();
        r.message = f.error().message();
      } else if (auto body = net::body_as<net::produce_response>(*f)) {
        r = std::move(*body);
      } else {
        r.error = body.error().code();
        r.message = body.error().message();
      }
      caf::anon_send(me, sent_atom::value, id, std::move(r));
    });
    p.conn_of[id] = *conn;
    p.in_flight[id] = std::move(sent);
  }
}

void send_pending(sender_ptr self) {
  auto& p = *self->state.p;
  std::set<std::pair<std::string, int32_t>> retried;
  for (const auto& [id, b] : p.retrying) retried.insert({b->topic, b->partition});
  for (auto it = p.pending.begin(); it != p.pending.end();) {
    if (!retried.count(it->first)) send_partition(self, it->first, it->second);
    it = it->second.empty() ? p.pending.erase(it) : std::next(it);
  }
}

}  // namespace

namespace {

bool retriable(const producer::impl& p, errc e) {
  // With idempotence an out-of-order answer means an earlier batch of the partition is being
  // retried; this one follows once it lands.
  if (e == errc::out_of_order_sequence) return p.producer_id >= 0;
  return runtime::is_retriable(e);
}

// Retries go back in creation order (batch ids grow), so a partition's batches stay in sequence.
void requeue(producer::impl& p, std::unique_ptr<batch> b) {
  auto& queue = p.pending[{b->topic, b->partition}];
  auto pos = std::find_if(queue.begin(), queue.end(),
                          [&](const std::unique_ptr<batch>& x) { return x->id > b->id; });
  queue.insert(pos, std::move(b));
}

void settle(sender_ptr self, uint64_t id, std::unique_ptr<batch> b,
            const net::produce_response& r) {
  auto& p = *self->state.p;
  if (r.error == errc::none) return p.complete(*b, r.base_offset, status{});
  auto age = clock_type::now() - b->created;
  bool expired =
      age + milliseconds(p.cfg.retry_backoff_ms) > milliseconds(p.cfg.delivery_timeout_ms);
  if (retriable(p, r.error) && b->attempts <= p.cfg.retries && !expired) {
    BROOK_LOG_DEBUG("producer: retrying " << b->topic << "-" << b->partition << " batch " << id
                                          << " (attempt " << b->attempts << ") after "
                                          << runtime::to_string(r.error) << ": " << r.message);
    if (r.error != errc::request_timed_out) p.meta->invalidate(b->topic);
    p.retrying[id] = std::move(b);
    self->delayed_send(self, milliseconds(p.cfg.retry_backoff_ms), retry_atom::value, id);
  } else {
    std::string why = r.message.empty() ? std::string(runtime::to_string(r.error)) : r.message;
    if (expired) why += " (delivery.timeout.ms expired)";
    p.complete(*b, -1, status{r.error, why});
  }
}

void on_response(sender_ptr self, uint64_t id, net::produce_response& r) {
  auto& p = *self->state.p;
  auto it = p.in_flight.find(id);
  if (it == p.in_flight.end()) return;
  auto sent = std::move(it->second);
  p.in_flight.erase(it);
  auto tp = std::make_pair(sent[0]->topic, sent[0]->partition);
  if (auto c = p.conn_of.find(id); c != p.conn_of.end()) {
    producer::impl::conn_partition key{c->second.get(), tp};
    if (--p.in_flight_per_conn[key] <= 0) p.in_flight_per_conn.erase(key);
    p.conn_of.erase(c);
  }
  if ((p.in_flight_per_partition[tp] -= int(sent.size())) <= 0) p.in_flight_per_partition.erase(tp);
  if (r.error == errc::none && sent.size() > 1 && r.base_offsets.size() != sent.size()) {
    r.error = errc::unknown;
    r.message = "the broker answered " + std::to_string(r.base_offsets.size()) +
                " offsets for a request of " + std::to_string(sent.size()) + " batches";
  }
  for (size_t i = 0; i < sent.size(); ++i) {
    if (sent.size() > 1 && r.error == errc::none) r.base_offset = r.base_offsets[i];
    auto bid = sent[i]->id;
    settle(self, bid, std::move(sent[i]), r);
  }
  send_pending(self);
}

producer_actor::behavior_type sender_impl(sender_ptr self, producer::impl* p) {
  self->state.p = p;
  return {
      [self](ready_atom) {
        collect(*self->state.p);
        send_pending(self);
      },
      [self](sent_atom, uint64_t id, net::produce_response& r) { on_response(self, id, r); },
      [self](retry_atom, uint64_t id) {
        auto& p = *self->state.p;
        auto it = p.retrying.find(id);
        if (it == p.retrying.end()) return;
        requeue(p, std::move(it->second));
        p.retrying.erase(it);
        send_pending(self);
      },
  };
}

// Supervision: a sender that dies while the producer is open is restarted; every batch it had in
// flight is sent again (at-least-once, as a Kafka retry), so no record is left without a result.
void spawn_sender(producer::impl* p) {
  p->sender = p->sys->spawn(sender_impl, p);
  p->sender->attach_functor([p](const caf::error& reason) {
    {
      std::lock_guard<std::mutex> g(p->mu);
      if (p->closed || !reason) return;
    }
    BROOK_LOG_WARN("producer: sender actor died (" << caf::to_string(reason) << "); restarting it");
    for (auto& [id, sent] : p->in_flight)
      for (auto& b : sent) requeue(*p, std::move(b));
    for (auto& [id, b] : p->retrying) requeue(*p, std::move(b));
    p->in_flight.clear();
    p->retrying.clear();
    p->in_flight_per_conn.clear();
    p->in_flight_per_partition.clear();
    p->conn_of.clear();
    spawn_sender(p);
    p->drain_pending = false;
    p->wake_sender();
  });
}

}  // namespace

runtime::result<std::unique_ptr<producer>> producer::create(producer_config cfg) {
  auto servers = parse_bootstrap(cfg.bootstrap_servers);
  if (!servers) return servers.error();
  auto p = std::make_unique<impl>();
  p->cfg = std::move(cfg);
  p->meta = std::make_unique<client_metadata>(*servers, milliseconds(p->cfg.request_timeout_ms),
                                              p->cfg.security);
  auto conn = p->meta->any_connection();
  if (!conn) return conn.error();
  if (p->cfg.enable_idempotence) {
    // A producer id from any broker; one that is restarting (or a lost connection) is retried,
    // on whichever broker answers, for up to max.block.ms.
    auto deadline = std::chrono::steady_clock::now() + milliseconds(p->cfg.max_block_ms);
    for (;;) {
      runtime::result<net::init_producer_id_response> r = status{};
      if (conn)
        r = (*conn)->call<net::init_producer_id_response>(net::native_type::init_producer_id,
                                                          net::init_producer_id_request{},
                                                          milliseconds(p->cfg.request_timeout_ms));
      status why = !conn ? conn.error() : !r ? r.error() : status{r->error, r->message};
      if (why.is_ok()) {
        p->producer_id = r->producer_id;
        p->producer_epoch = r->producer_epoch;
        break;
      }
      bool retriable = why.code() == errc::network_error || runtime::is_retriable(why.code());
      if (!retriable || std::chrono::steady_clock::now() >= deadline)
        return status{why.code(), "init producer id: " + why.message()};
      std::this_thread::sleep_for(milliseconds(p->cfg.retry_backoff_ms));
      conn = p->meta->any_connection();
    }
  }
  p->sys_cfg.add_message_types<caf::id_block::brook>();
  p->sys_cfg.set("scheduler.max-threads", 1);
  p->sys = std::make_unique<caf::actor_system>(p->sys_cfg);
  spawn_sender(p.get());
  return std::unique_ptr<producer>(new producer(std::move(p)));
}

producer::producer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

producer::~producer() {
  flush(milliseconds(impl_->cfg.delivery_timeout_ms));
  {
    std::lock_guard<std::mutex> g(impl_->mu);
    impl_->closed = true;
  }
  caf::anon_send_exit(impl_->sender, caf::exit_reason::user_shutdown);
  impl_->sys->await_all_actors_done();
  impl_->sys.reset();
}

const producer_config& producer::config() const {
  return impl_->cfg;
}

int32_t producer::partition_for(const producer_record& rec, int32_t n) {
  if (rec.key) return runtime::kafka_key_partition(*rec.key, n);
  auto& p = *impl_;
  auto it = p.sticky.find(rec.topic);
  if (it == p.sticky.end() || it->second >= n)
    it = p.sticky.insert_or_assign(rec.topic, int32_t(p.rng() % uint32_t(n))).first;
  return it->second;
}

runtime::status producer::send(producer_record rec, delivery_callback cb) {
  auto& p = *impl_;
  auto meta = p.meta->shape(rec.topic, true, milliseconds(p.cfg.max_block_ms));
  if (!meta) return meta.error();
  size_t size = record_size(rec);
  if (size > p.cfg.buffer_memory)
    return {errc::message_too_large,
            "record of " + std::to_string(size) + " bytes exceeds buffer.memory"};
  if (rec.timestamp < 0) rec.timestamp = runtime::wall_ms();
  bool urgent = meta->urgency_class == runtime::urgency::urgent;
  bool wake = urgent || p.cfg.linger_ms == 0;
  bool arm_linger = false;
  auto linger = p.linger_for(false, meta->urgency_class);
  {
    std::unique_lock<std::mutex> lk(p.mu);
    if (p.closed) return {errc::invalid_request, "producer is closed"};
    bool sticky = false;  // the sticky partitioner chose the partition
    if (rec.partition) {
      if (*rec.partition < 0 || *rec.partition >= meta->partitions)
        return {errc::unknown_topic_or_partition, "partition " + std::to_string(*rec.partition) +
                                                      " of '" + rec.topic + "' does not exist"};
    } else if (!rec.key && p.last.sticky && p.last.partition < meta->partitions &&
               p.last.topic == rec.topic) {
      rec.partition = p.last.partition;
      sticky = true;
    } else {
      rec.partition = partition_for(rec, meta->partitions);
      sticky = !rec.key;
    }
    std::optional<clock_type::time_point> deadline;  // read the clock only when it must wait
    while (p.buffered + size > p.cfg.buffer_memory) {
      if (!deadline) deadline = clock_type::now() + milliseconds(p.cfg.max_block_ms);
      if (p.cv.wait_until(lk, *deadline) == std::cv_status::timeout &&
          p.buffered + size > p.cfg.buffer_memory)
        return {errc::request_timed_out, "buffer.memory (" + std::to_string(p.cfg.buffer_memory) +
                                             " bytes) still full after max.block.ms"};
    }
    if (!p.last.slot || p.last.partition != *rec.partition || p.last.topic != rec.topic) {
      p.last.slot = &p.open[std::make_pair(rec.topic, *rec.partition)];
      p.last.topic = rec.topic;
      p.last.partition = *rec.partition;
    }
    p.last.sticky = sticky;
    auto& slot = *p.last.slot;
    if (slot && !slot->builder.empty() && slot->builder.size_bytes() + size > p.cfg.batch_size) {
      p.sealed.push_back(std::move(slot));
      wake = true;
      if (!rec.key) {  // sticky partitioner moves on with a new batch
        p.sticky.erase(rec.topic);
        p.last.sticky = false;
      }
    }
    if (!slot) {
      slot = std::make_unique<batch>();
      slot->id = p.next_id++;
      slot->topic = rec.topic;
      slot->partition = *rec.partition;
      slot->urgent = urgent;
      slot->builder =
          runtime::batch_builder(urgent ? runtime::compression::none : p.cfg.compression_type);
      slot->created = clock_type::now();
      // Room for a full batch of records like this one (bounded: tiny records, big batches).
      slot->callbacks.reserve(std::min<size_t>(1024, p.cfg.batch_size / size + 1));
      if (!wake && (!p.linger_timer || slot->created + linger < *p.linger_timer)) {
        p.linger_timer = slot->created + linger;
        arm_linger = true;
      }
    }
    slot->builder.append(
        rec.timestamp, rec.key ? std::optional<std::string_view>(*rec.key) : std::nullopt,
        rec.value ? std::optional<std::string_view>(*rec.value) : std::nullopt, rec.headers);
    slot->callbacks.push_back(std::move(cb));
    slot->reserved += size;
    p.buffered += size;
    p.outstanding++;
    if (urgent) {
      p.sealed.push_back(std::move(slot));
      p.open.erase(std::make_pair(rec.topic, *rec.partition));
      p.last.slot = nullptr;
    }
  }
  if (wake)
    p.wake_sender();
  else if (arm_linger)
    caf::delayed_anon_send(p.sender, linger, ready_atom::value);
  return {};
}

runtime::status producer::flush(milliseconds timeout) {
  auto& p = *impl_;
  std::unique_lock<std::mutex> lk(p.mu);
  if (p.outstanding == 0) return {};
  p.flushing = true;
  lk.unlock();
  p.drain_pending = false;
  p.wake_sender();
  lk.lock();
  bool done = p.cv.wait_for(lk, timeout, [&] { return p.outstanding == 0; });
  p.flushing = false;
  if (!done)
    return {errc::request_timed_out,
            std::to_string(p.outstanding) + " record(s) still undelivered after flush timeout"};
  return {};
}

}  // namespace brook::client
