// brook: the command-line client. Flags follow Kafka's tools and rpk where they exist.
#include <CLI/CLI.hpp>
#include <cstdlib>

#include "apps/cli_chaos.hpp"
#include "apps/cli_cluster.hpp"
#include "apps/cli_commands.hpp"
#include "runtime/memory.hpp"

int main(int argc, char** argv) {
  brook::runtime::keep_freed_buffers();
  using namespace brook::cli;
  CLI::App app{"brook: topics, produce, consume and benchmarks against Brook, and local clusters"};
  app.require_subcommand(1);
  options o;
  const char* env = std::getenv("BROOK_BOOTSTRAP_SERVER");
  o.bootstrap = env ? env : "127.0.0.1:9093";
  app.add_option("--bootstrap-server", o.bootstrap,
                 "host:port of a broker (env BROOK_BOOTSTRAP_SERVER)");
  std::string command_config;
  app.add_option("--command-config", command_config,
                 "client properties for a secured native listener: security.protocol, "
                 "ssl.ca.location, sasl.mechanism, sasl.username, sasl.password");

  auto* topic = app.add_subcommand("topic", "create, list, describe, alter or delete topics");
  topic->require_subcommand(1);
  auto* create = topic->add_subcommand("create", "create a topic");
  create->add_option("name", o.topic)->required();
  create->add_option("--partitions,-p", o.partitions, "number of partitions (broker default)");
  create->add_option("--replication-factor,-r", o.replication_factor, "replicas per partition");
  create->add_option("--config,-c", o.configs, "topic config key=value (repeatable)");
  auto* list = topic->add_subcommand("list", "list topics");
  auto* describe = topic->add_subcommand("describe", "partitions, leaders and configs of a topic");
  describe->add_option("name", o.topic)->required();
  auto* alter = topic->add_subcommand("alter", "add partitions to a topic or change its configs");
  alter->add_option("name", o.topic)->required();
  alter->add_option("--partitions,-p", o.partitions, "the new partition count (only grows)");
  alter->add_option("--add-config", o.configs, "set a topic config key=value (repeatable)");
  alter->add_option("--delete-config", o.delete_configs, "back to the default: key (repeatable)");
  auto* del = topic->add_subcommand("delete", "delete a topic and its data");
  del->add_option("name", o.topic)->required();
  auto* delrec =
      topic->add_subcommand("delete-records", "delete a partition's records before an offset");
  delrec->add_option("name", o.topic)->required();
  delrec->add_option("--partition", o.partition, "the partition")->required();
  delrec->add_option("--offset", o.offset, "the new log start offset (-1: the high watermark)")
      ->required();

  auto* broker = app.add_subcommand("broker", "dynamic broker configs, log directories");
  broker->require_subcommand(1);
  auto* balter = broker->add_subcommand(
      "alter-config", "change the topic defaults of one broker, or (no id) of every broker");
  balter->add_option("id", o.broker, "broker id (default: every broker)");
  balter->add_option("--add-config", o.configs, "set a broker key=value (repeatable)");
  balter->add_option("--delete-config", o.delete_configs, "remove a dynamic key (repeatable)");
  auto* blogdirs =
      broker->add_subcommand("log-dirs", "the replicas the bootstrap broker stores, and their size");

  auto* user = app.add_subcommand("user", "SCRAM users: create, delete, list");
  user->require_subcommand(1);
  auto* ucreate = user->add_subcommand(
      "create", "set a user's password (salted and hashed here; replaces an earlier one)");
  ucreate->add_option("name", o.user)->required();
  ucreate->add_option("--password", o.password, "the password (default: a line of stdin)");
  ucreate->add_option("--mechanism", o.mechanisms,
                      "SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable; default both)");
  ucreate->add_option("--iterations", o.iterations, "SCRAM iterations, 4096-16384");
  auto* udelete = user->add_subcommand("delete", "remove a user's credentials");
  udelete->add_option("name", o.user)->required();
  udelete->add_option("--mechanism", o.mechanisms, "only this mechanism's (repeatable)");
  auto* ulist = user->add_subcommand("list", "users and their mechanisms");

  auto* acl = app.add_subcommand("acl", "access control lists: add, remove, list");
  acl->require_subcommand(1);
  auto* aadd = acl->add_subcommand("add", "allow or deny principals operations on a resource");
  auto* aremove = acl->add_subcommand("remove", "remove the ACLs the flags match");
  auto* alist = acl->add_subcommand("list", "list the ACLs the flags match (default: all)");
  for (auto* a : {aadd, aremove, alist}) {
    a->add_option("--topic", o.topic, "a topic (or prefix, or * for every topic)");
    a->add_option("--group", o.group, "a consumer group (or prefix, or *)");
    a->add_option("--transactional-id", o.transactional_id, "a transactional id (or prefix, or *)");
    a->add_flag("--cluster", o.cluster, "the cluster");
    a->add_option("--resource-pattern-type", o.pattern_type,
                  "literal or prefixed (remove, list: also any, match)");
    a->add_option("--operation", o.operations,
                  "READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, "
                  "DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE or ALL (add: repeatable)");
    a->add_option("--host", o.acl_host, "the client host (default: any)");
  }
  aadd->add_option("--allow-principal", o.allow_principals, "e.g. User:alice (repeatable)");
  aadd->add_option("--deny-principal", o.deny_principals, "e.g. User:mallory (repeatable)");
  aadd->add_flag("--producer", o.producer, "WRITE, DESCRIBE and CREATE on the topic");
  aadd->add_flag("--consumer", o.consumer, "READ and DESCRIBE on the topic, READ on the group");
  for (auto* a : {aremove, alist})
    a->add_option("--principal", o.principal, "only this principal's ACLs");

  auto* produce = app.add_subcommand("produce", "send lines from stdin as records");
  produce->add_option("topic", o.topic)->required();
  produce->add_option("--acks", o.acks, "0, 1 or all");
  produce->add_option("--key-separator", o.key_separator, "split each line into key and value");
  produce->add_option("--partition", o.partition, "send every record to this partition");
  produce->add_option("--linger-ms", o.linger_ms);
  produce->add_option("--batch-size", o.batch_size);
  produce->add_option("--compression-type", o.compression);
  produce->add_option("--producer-property,-X", o.properties,
                      "producer config key=value (repeatable)");

  auto* consume = app.add_subcommand("consume", "print records' values, one per line");
  consume->add_option("topic", o.topic)->required();
  consume->add_flag("--from-beginning", o.from_beginning);
  consume->add_option("--offset", o.offset, "start at this offset (with --partition)");
  consume->add_option("--partition", o.partition, "only this partition");
  consume->add_option("--count,-n", o.count, "exit after this many records (default: follow)");
  consume->add_option("--timeout-ms", o.timeout_ms, "exit if no record arrives for this long");
  consume->add_flag("--print-key", o.print_key, "print key<TAB>value");
  consume->add_option("--group,-g", o.group, "consume as a member of this group (commits offsets)");
  consume->add_option("--consumer-property,-X", o.properties, "consumer config key=value");

  auto* bench = app.add_subcommand("bench", "measure produce or consume throughput and latency");
  bench->require_subcommand(1);
  for (auto* b : {bench->add_subcommand("produce", "producer benchmark"),
                  bench->add_subcommand("consume", "consumer benchmark")}) {
    b->add_option("--topic", o.topic)->required();
    b->add_option("--records", o.records, "number of records")->required();
    b->add_option("--record-size", o.record_size, "value bytes per record");
    b->add_option("--acks", o.acks);
    b->add_option("--batch-size", o.batch_size);
    b->add_option("--linger-ms", o.linger_ms);
    b->add_option("--compression-type", o.compression);
    b->add_option("--property,-X", o.properties, "producer/consumer config key=value (repeatable)");
  }

  auto* group =
      app.add_subcommand("group", "consumer groups: list, describe, reset or delete offsets, delete");
  group->require_subcommand(1);
  auto* glist = group->add_subcommand("list", "list groups and their state");
  auto* gdescribe =
      group->add_subcommand("describe", "members, assignments, committed offsets and lag");
  gdescribe->add_option("group", o.group)->required();
  auto* greset =
      group->add_subcommand("reset-offsets", "set committed offsets of an inactive group");
  greset->add_option("group", o.group)->required();
  greset->add_option("--topic", o.topic)->required();
  greset->add_option("--partition", o.partition, "only this partition");
  greset->add_flag("--to-earliest", o.to_earliest);
  greset->add_flag("--to-latest", o.to_latest);
  greset->add_option("--to-offset", o.to_offset);
  greset->add_flag("--execute", o.execute, "commit (default: show the plan only)");
  auto* gdelete = group->add_subcommand("delete", "delete a group without members and its offsets");
  gdelete->add_option("group", o.group)->required();
  auto* gdeloff = group->add_subcommand("delete-offsets", "delete a group's offsets of a topic");
  gdeloff->add_option("group", o.group)->required();
  gdeloff->add_option("--topic", o.topic)->required();
  gdeloff->add_option("--partition", o.partition, "only this partition");

  auto* bstreams =
      bench->add_subcommand("streams", "Brook Streams: a map application, or urgency under load");
  bstreams->add_option("--mode", o.mode, "map (throughput) or urgency (latency under load)")
      ->check(CLI::IsMember({"map", "urgency"}));
  bstreams->add_option("--records", o.records, "map: records to process (default 1000000)");
  bstreams->add_option("--record-size", o.record_size, "value bytes per record");
  bstreams->add_option("--partitions", o.partitions, "map: input partitions (default 1)");
  bstreams->add_option("--topic", o.topic, "map: read this topic of --records records instead");
  bstreams->add_option("--rate", o.rate,
                       "urgency: urgent and not-so-urgent records/s (default 200)");
  bstreams->add_option("--work-us", o.work_us, "urgency: CPU per flexible record (default 50)");
  bstreams->add_option("--duration", o.duration_s, "urgency: seconds per phase (default 20)");

  auto* streams = app.add_subcommand("streams", "Brook Streams applications");
  streams->require_subcommand(1);
  auto* sdescribe =
      streams->add_subcommand("describe", "instances, members, and per task lag, urgency, latency");
  sdescribe->add_option("application.id", o.group)->required();

  auto* admin = app.add_subcommand("admin", "operator actions");
  admin->require_subcommand(1);
  auto* kill = admin->add_subcommand("kill-partition", "crash a partition actor (chaos testing)");
  kill->add_option("topic", o.topic)->required();
  kill->add_option("partition", o.partition)->required();
  auto* kill_task = admin->add_subcommand(
      "kill-streams-task", "crash a task actor of a streams application (chaos testing)");
  kill_task
      ->add_option("--app", o.app_address, "the application's admin.listeners address (host:port)")
      ->required();
  kill_task->add_option("task", o.task, "task id, e.g. 1_0")->required();
  auto* actors = admin->add_subcommand(
      "actors", "the actors `admin kill` can crash, on every broker (chaos testing)");
  actors->add_option("--at", o.addresses,
                     "also ask this process: a coordinator's coordinator.listeners or a streams "
                     "application's admin.listeners address (repeatable)");
  auto* kill_path = admin->add_subcommand(
      "kill", "crash the actor at a path that `admin actors` lists (chaos testing)");
  kill_path->add_option("path", o.path, "e.g. partition/orders-0, controller, session/kafka/3")
      ->required();
  kill_path->add_option("--broker", o.broker_id, "on this broker (default: the only one)");
  kill_path->add_option("--at", o.at, "in the process at host:port (coordinator, streams app)");

  chaos_options xo;
  auto* chaos = app.add_subcommand("chaos", "chaos testing: faults under load, and a verdict");
  chaos->require_subcommand(1);
  auto* xrun = chaos->add_subcommand(
      "run", "start a cluster, run a workload, inject faults, check what was acknowledged");
  xrun->add_option("--dir", xo.dir, "cluster directory; reports go there (default ./brook-chaos)");
  xrun->add_flag("--attach", xo.attach, "use the cluster `brook cluster up` runs in --dir");
  xrun->add_flag("--keep", xo.keep, "leave the cluster it started running");
  xrun->add_option("--brokers", xo.brokers, "brokers to start (default 3)");
  xrun->add_option("--config,-c", xo.configs, "broker config key=value (repeatable)");
  xrun->add_option("--brookd", xo.brookd, "brookd binary (default: the one next to brook)");
  xrun->add_option("--partitions", xo.partitions, "partitions of the topic (default 6)");
  xrun->add_option("--replication-factor", xo.replication, "of the topic (default 3)");
  xrun->add_option("--acks", xo.acks, "all (idempotent, default), 1 or 0");
  xrun->add_option("--producers", xo.producers, "producer clients (default 2)");
  xrun->add_option("--consumers", xo.consumers, "consumers in one group (default 2)");
  xrun->add_option("--rate", xo.rate, "records per second, all producers (default 2000)");
  xrun->add_option("--seed", xo.seed, "seed of the fault plan (default 1)");
  xrun->add_option("--duration", xo.duration_s, "seconds of workload (default 60)");
  xrun->add_option("--faults", xo.faults, "faults to inject (default 30)");
  xrun->add_option("--kinds", xo.kinds,
                   "fault kinds to draw from (default all): kill-leader kill-follower "
                   "kill-fetcher kill-session kill-controller kill-group-coordinator "
                   "kill-broker-actor kill-coordinator-session kill9-broker kill9-coordinator "
                   "pause-broker partition-broker")
      ->delimiter(',');
  xrun->add_option("--schedule", xo.schedule,
                   "a file of faults, one per line: <at seconds> <kind> [partition|broker] "
                   "[duration ms]");
  xrun->add_option("--netns", xo.netns,
                   "processes in network namespaces, for partition-broker faults: auto (when "
                   "root and such faults are planned), on, off")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  xrun->add_option("--json", xo.json, "summary for scripts (default <dir>/chaos-<seed>.json)");
  xrun->add_option("--svg", xo.svg, "timeline picture (default <dir>/chaos-<seed>.svg)");

  cluster_options co;
  auto* cluster =
      app.add_subcommand("cluster", "start, stop or inspect a local multi-broker cluster");
  cluster->require_subcommand(1);
  auto* cup =
      cluster->add_subcommand("up", "start a coordinator and N brokers, detached, on 127.0.0.1");
  cup->add_option("--brokers", co.brokers, "number of brokers (ids 1..N)")->required();
  cup->add_option("--dir", co.dir, "state file, logs and data (default ./brook-cluster)");
  cup->add_option("--base-port", co.base_port,
                  "fixed ports: coordinator P, broker n native P+2n-1 and Kafka P+2n "
                  "(default: free ports)");
  cup->add_option("--config,-c", co.configs,
                  "broker config key=value for every broker (repeatable)");
  cup->add_option("--brookd", co.brookd, "brookd binary (default: the one next to brook)");
  cup->add_flag("--netns", co.netns,
                "each process in a network namespace of its own, on 10.250.x.0/24 (root)");
  auto* cdown =
      cluster->add_subcommand("down", "stop every process of the cluster (SIGTERM, then SIGKILL)");
  cdown->add_option("--dir", co.dir, "the cluster's directory (default ./brook-cluster)");
  auto* cstatus =
      cluster->add_subcommand("status", "processes, brokers, controller and partition leaders");
  cstatus->add_option("--dir", co.dir, "the cluster's directory (default ./brook-cluster)");
  cstatus->add_option("--bootstrap-server", co.bootstrap,
                      "ask this broker instead of the --dir state file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);    // prints the help, or the error and a hint
    return code == 0 ? 0 : 2;  // bad usage exits 2, as brookd's does
  }
  if (!command_config.empty())
    if (auto s = use_client_security(command_config); !s) return fail(s);
  if (xrun->parsed()) return chaos_run(xo);
  if (cup->parsed()) return cluster_up(co);
  if (cdown->parsed()) return cluster_down(co);
  if (cstatus->parsed()) {
    if (co.bootstrap.empty() && app.count("--bootstrap-server") > 0) co.bootstrap = o.bootstrap;
    return cluster_status(co);
  }
  if (sdescribe->parsed()) return streams_describe(o);
  if (kill_task->parsed()) return kill_streams_task(o);
  if (bstreams->parsed()) return bench_streams(o);
  if (create->parsed()) return topic_create(o);
  if (list->parsed()) return topic_list(o);
  if (describe->parsed()) return topic_describe(o);
  if (alter->parsed()) return topic_alter(o);
  if (del->parsed()) return topic_delete(o);
  if (delrec->parsed()) return topic_delete_records(o);
  if (balter->parsed()) return broker_alter_config(o);
  if (blogdirs->parsed()) return broker_log_dirs(o);
  if (ucreate->parsed()) return user_create(o);
  if (udelete->parsed()) return user_delete(o);
  if (ulist->parsed()) return user_list(o);
  if (aadd->parsed()) return acl_add(o);
  if (aremove->parsed()) return acl_remove(o);
  if (alist->parsed()) return acl_list(o);
  if (produce->parsed()) return produce_lines(o);
  if (consume->parsed()) return consume_records(o);
  if (bench->got_subcommand("produce")) return bench_produce(o);
  if (bench->got_subcommand("consume")) return bench_consume(o);
  if (kill->parsed()) return kill_partition(o);
  if (actors->parsed()) return admin_actors(o);
  if (kill_path->parsed()) return admin_kill(o);
  if (glist->parsed()) return group_list(o);
  if (gdescribe->parsed()) return group_describe(o);
  if (greset->parsed()) return group_reset_offsets(o);
  if (gdelete->parsed()) return group_delete(o);
  if (gdeloff->parsed()) return group_delete_offsets(o);
  return fail("nothing to do");
}
