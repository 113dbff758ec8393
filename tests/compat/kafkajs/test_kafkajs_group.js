// One KafkaJS consumer-group member (consumer.subscribe + consumer.run), driven by ../test_groups.py: that
// test starts three of these per group, kills one (SIGKILL), stops another (SIGTERM: disconnect, which
// leaves the group) and checks what each consumed. Not a `node --test` file.
//
//   node test_kafkajs_group.js BOOTSTRAP GROUP TOPIC CLIENT_ID SESSION_TIMEOUT_MS DELAY_MS
//
// Prints one JSON object per line on stdout (pipes are written synchronously on Linux, so whatever was
// printed before a SIGKILL is there to read):
//   {"ev":"assigned","parts":[...]}          the group's assignment of TOPIC to this member (GROUP_JOIN)
//   {"ev":"rec","p":P,"o":O,"v":"value"}     a record handed to eachMessage (after DELAY_MS of "work")
//   {"ev":"commit","offsets":{"P":O}}         offsets KafkaJS committed (COMMIT_OFFSETS)
//   {"ev":"error","error":"..."} / {"ev":"closed"}
'use strict'

const { Kafka, logLevel } = require('kafkajs')

const [bootstrap, groupId, topic, clientId, sessionMs, delayArg] = process.argv.slice(2)
if (!delayArg) {
  process.stderr.write('usage: node test_kafkajs_group.js BOOTSTRAP GROUP TOPIC CLIENT_ID SESSION_MS DELAY_MS\n')
  process.exit(2)
}
const delayMs = Number(delayArg)
const emit = ev => process.stdout.write(JSON.stringify(ev) + '\n')
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

const kafka = new Kafka({
  clientId,
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 10000,
  requestTimeout: 30000,
  retry: { retries: 10 }
})
const consumer = kafka.consumer({
  groupId,
  sessionTimeout: Number(sessionMs),
  rebalanceTimeout: 30000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 200 // KafkaJS heartbeats from its fetch loop: keep that loop short when idle
})

consumer.on(consumer.events.GROUP_JOIN, e => {
  const parts = (e.payload.memberAssignment[topic] || []).slice().sort((a, b) => a - b)
  emit({ ev: 'assigned', parts, member: e.payload.memberId, leader: e.payload.isLeader })
})
consumer.on(consumer.events.COMMIT_OFFSETS, e => {
  const offsets = {}
  for (const t of e.payload.topics) {
    if (t.topic !== topic) continue
    for (const p of t.partitions) offsets[p.partition] = Number(p.offset)
  }
  emit({ ev: 'commit', offsets })
})
consumer.on(consumer.events.CRASH, e => emit({ ev: 'error', error: String(e.payload.error) }))

let stopping = false
process.on('SIGTERM', async () => {
  if (stopping) return
  stopping = true
  try {
    await consumer.disconnect() // commits resolved offsets, then LeaveGroup
    emit({ ev: 'closed' })
    process.exit(0)
  } catch (err) {
    emit({ ev: 'error', error: String(err) })
    process.exit(1)
  }
})

async function main () {
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    // A slow member commits every 5 records, so a SIGKILL leaves some consumed but uncommitted.
    autoCommitThreshold: delayMs > 0 ? 5 : null,
    eachMessage: async ({ partition, message }) => {
      if (delayMs > 0) await sleep(delayMs)
      emit({ ev: 'rec', p: partition, o: Number(message.offset), v: message.value.toString() })
    }
  })
}

main().catch(err => {
  emit({ ev: 'error', error: String(err) })
  process.exit(1)
})
