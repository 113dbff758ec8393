// Kafka Produce: each partition's batch goes to its partition actor (acks=0: no answer is awaited
// and no response is written). Versions: net/kafka/codec.cpp, supported_apis().
#include <caf/all.hpp>

#include "actors/session/kafka/kafka_session_internal.hpp"
#include "actors/session/route.hpp"
#include "runtime/record_batch.hpp"

namespace brook::actors::kafka_detail {

void serve(self_ptr self, uint64_t seq, const header& h, k::produce_request& req) {
  bool no_response = req.acks == 0;
  // A transactional producer also needs WRITE on its transactional id (every partition refused).
  std::optional<errc> txn_refused;
  if (req.transactional_id)
    txn_refused = denied(self, sec::acl_operation::write, sec::resource_type::transactional_id,
                         *req.transactional_id);
  const auto& dir = *self->state.node->directory();
  answer_per_partition<k::produce_response>(
      req,
      [&](auto& t, auto& p, auto done) {
        auto answer = [done](const net::produce_response& r) {
          done([&r](k::produce_response::partition& out) {
            out.error_code = code(r.error);
            out.base_offset = r.base_offset;
            out.log_start_offset = r.log_start_offset;
          });
        };
        if (txn_refused) return answer({*txn_refused, "", -1, -1, {}});
        if (auto e = denied(self, sec::acl_operation::write, sec::resource_type::topic, t.name))
          return answer({*e, "", -1, -1, {}});  // nothing written
        if (!p.records) return answer({errc::corrupt_message, "null records", -1, -1, {}});
        // Kafka's LogValidator: a v2 produce carries exactly one batch per partition (the
        // partition actor would take several, as the native producer sends them).
        auto first = runtime::parse_batch_header(p.records->data(), p.records->size());
        if (first && first->total_size() < p.records->size())
          return answer({errc::invalid_record,
                         "a produce request must carry exactly one record batch per partition",
                         -1,
                         -1,
                         {}});
        net::produce_request native{t.name, p.index, req.acks, req.timeout_ms,
                                    std::move(*p.records)};
        if (!no_response)
          return ask_partition<net::produce_response>(self, dir, std::move(native), answer);
        send_unacknowledged(dir, std::move(native));
        answer({});
      },
      [self, seq, h, no_response](k::produce_response& r) {
        if (no_response) return self->state.out->complete(seq, std::nullopt);
        reply(self, seq, h, r);
      });
}

}  // namespace brook::actors::kafka_detail
