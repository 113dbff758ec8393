// KafkaJS against brookd: admin topics (created, grown, deleted, configs altered, records deleted), groups (listed, described, deleted) and offsets, producer acks -1/1, idempotence and gzip, records read
// back with kcat (KafkaJS's consumer always joins a group, which Brook does not serve yet).
// Needs env KAFKA_BOOTSTRAP=host:port (Kafka listener); run through ../test_kafkajs.py, which starts brookd.
'use strict'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const { Kafka, logLevel, CompressionTypes } = require('kafkajs')

const bootstrap = process.env.KAFKA_BOOTSTRAP
assert.ok(bootstrap, 'set KAFKA_BOOTSTRAP to the Kafka listener host:port')

const kafka = new Kafka({
  clientId: 'brook-compat-kafkajs',
  brokers: [bootstrap],
  logLevel: logLevel.ERROR,
  connectionTimeout: 10000,
  requestTimeout: 15000,
  retry: { retries: 3 }
})
const admin = kafka.admin()
const BASE_TS = 1710000000000
const SEP = '|'

before(async () => { await admin.connect() })
after(async () => { await admin.disconnect() })

// Every record of topic from the beginning through kcat: [{partition, offset, timestamp, key, value, headers}].
function kcatConsume (topic) {
  const fmt = ['%p', '%o', '%T', '%k', '%s', '%h'].join(SEP) + '\\n'
  const r = spawnSync('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-Z', '-f', fmt],
    { encoding: 'utf8', timeout: 60000 })
  assert.equal(r.status, 0, `kcat failed: ${r.stderr}`)
  return r.stdout.split('\n').filter(Boolean).map(line => {
    const [p, o, ts, k, v, h] = line.split(SEP)
    return {
      partition: Number(p),
      offset: Number(o),
      timestamp: Number(ts),
      key: k,
      value: v,
      headers: h ? h.split(',').map(kv => kv.split('=')) : []
    }
  })
}

function makeMessages (tag, n, partitions) {
  return Array.from({ length: n }, (_, i) => ({
    partition: i % partitions,
    key: `${tag}-key-${i % 4}`,
    value: `${tag} value ${i} ${'pqrs'.repeat(i % 7)}`,
    headers: { tag, i: String(i) },
    timestamp: String(BASE_TS + i * 10)
  }))
}

// The records kcat reads back equal messages: per partition in send order at offsets 0.., same key, value,
// headers and timestamp.
function assertReadBack (topic, messages) {
  const got = kcatConsume(topic)
  assert.equal(got.length, messages.length)
  const partitions = [...new Set(messages.map(m => m.partition))]
  for (const p of partitions) {
    const want = messages.filter(m => m.partition === p)
    const have = got.filter(g => g.partition === p)
    assert.deepEqual(have.map(g => g.offset), want.map((_, i) => i), `offsets of partition ${p}`)
    assert.deepEqual(have.map(g => [g.key, g.value, g.timestamp, g.headers]),
      want.map(m => [m.key, m.value, Number(m.timestamp), Object.entries(m.headers)]), `partition ${p}`)
  }
}

test('admin creates, lists, describes and deletes topics', { timeout: 60000 }, async () => {
  assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-admin-a', numPartitions: 4 }], waitForLeaders: true }), true)
  // KafkaJS answers false, not an error, when the topic exists already (it logs the TOPIC_ALREADY_EXISTS).
  assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-admin-a', numPartitions: 2 }] }), false)
  // Without numPartitions KafkaJS sends -1: the broker's default (num.partitions=1).
  assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-admin-default' }], waitForLeaders: true }), true)

  const topics = await admin.listTopics()
  assert.ok(topics.includes('kjs-admin-a'), topics)
  assert.ok(topics.includes('kjs-admin-default'), topics)
  const md = await admin.fetchTopicMetadata({ topics: ['kjs-admin-a', 'kjs-admin-default'] })
  const byName = Object.fromEntries(md.topics.map(t => [t.name, t]))
  assert.deepEqual(byName['kjs-admin-a'].partitions.map(p => p.partitionId).sort(), [0, 1, 2, 3])
  for (const p of byName['kjs-admin-a'].partitions) {
    assert.equal(p.partitionErrorCode, 0)
    assert.equal(p.leader, 0)
    assert.deepEqual(p.replicas, [0])
    assert.deepEqual(p.isr, [0])
  }
  assert.equal(byName['kjs-admin-default'].partitions.length, 1)

  const cluster = await admin.describeCluster()
  assert.equal(cluster.controller, 0)
  assert.deepEqual(cluster.brokers.map(b => `${b.host}:${b.port}`), [bootstrap])

  await admin.deleteTopics({ topics: ['kjs-admin-a'], timeout: 15000 })
  const deadline = Date.now() + 15000
  let left = await admin.listTopics()
  while (left.includes('kjs-admin-a') && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 200))
    left = await admin.listTopics()
  }
  assert.ok(!left.includes('kjs-admin-a'), 'deleted topic still listed')
  assert.ok(left.includes('kjs-admin-default'))
})

test('admin lists, describes and deletes a group', { timeout: 60000 }, async () => {
  await admin.createTopics({ topics: [{ topic: 'kjs-groups-t', numPartitions: 1 }], waitForLeaders: true })
  await admin.setOffsets({ groupId: 'kjs-del', topic: 'kjs-groups-t', partitions: [{ partition: 0, offset: '3' }] })
  const { groups } = await admin.listGroups()
  assert.ok(groups.some(g => g.groupId === 'kjs-del'), JSON.stringify(groups))
  const described = await admin.describeGroups(['kjs-del'])
  assert.equal(described.groups[0].state, 'Empty')
  const results = await admin.deleteGroups(['kjs-del'])
  assert.deepEqual(results.map(r => [r.groupId, r.errorCode]), [['kjs-del', 0]])
  const offsets = await admin.fetchOffsets({ groupId: 'kjs-del', topics: ['kjs-groups-t'] })
  assert.equal(offsets[0].partitions[0].offset, '-1')
  await assert.rejects(admin.deleteGroups(['kjs-never-existed']),
    err => JSON.stringify(err.groups || err.message).includes('GROUP_ID_NOT_FOUND') || /not exist|GROUP_ID_NOT_FOUND/.test(err.message))
})

test('admin.createPartitions grows a topic and refuses to shrink it', { timeout: 60000 }, async () => {
  await admin.createTopics({ topics: [{ topic: 'kjs-grow', numPartitions: 2 }], waitForLeaders: true })
  await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 5 }] })
  const md = await admin.fetchTopicMetadata({ topics: ['kjs-grow'] })
  assert.deepEqual(md.topics[0].partitions.map(p => p.partitionId).sort(), [0, 1, 2, 3, 4])
  for (const p of md.topics[0].partitions) assert.equal(p.leader, 0)
  await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 3 }] }),
    err => /higher than the requested 3/.test(err.message) || err.type === 'INVALID_PARTITIONS')
})

test('admin.alterConfigs, describeConfigs and deleteTopicRecords', { timeout: 60000 }, async () => {
  const { ConfigResourceTypes } = require('kafkajs')
  const topic = 'kjs-configs'
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'compression.type', value: 'zstd' }] }]
  })
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'compression.type', 'segment.bytes'] }] })
  const entries = Object.fromEntries(described.resources[0].configEntries.map(e => [e.configName, e]))
  assert.equal(entries['retention.ms'].configValue, '3600000')
  assert.equal(entries['compression.type'].configValue, 'zstd')
  assert.equal(entries['retention.ms'].isDefault, false)
  assert.equal(entries['segment.bytes'].isDefault, true)
  await assert.rejects(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }),
    err => /retention.ms/.test(err.message) || err.type === 'INVALID_CONFIG')

  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({ topic, acks: -1, messages: makeMessages('del', 10, 1) })
  } finally {
    await producer.disconnect()
  }
  await admin.fetchTopicMetadata({ topics: [topic] })  // deleteTopicRecords looks leaders up in the admin's cache
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '6' }] })
  const offsets = await admin.fetchTopicOffsets(topic)
  assert.deepEqual(offsets.map(o => [o.partition, o.low, o.high]), [[0, '6', '10']])
  assert.deepEqual(kcatConsume(topic).map(r => r.offset), [6, 7, 8, 9])
})

for (const acks of [-1, 1]) {
  test(`producer.send acks=${acks} with keys and headers, offsets and read back`, { timeout: 60000 }, async () => {
    const topic = `kjs-acks${acks === -1 ? 'all' : '1'}`
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
    const producer = kafka.producer()
    await producer.connect()
    try {
      const messages = makeMessages(`acks${acks}`, 30, 3)
      // Two sends: the second's base offsets follow the first's records.
      const first = await producer.send({ topic, acks, messages: messages.slice(0, 12) })
      const second = await producer.send({ topic, acks, messages: messages.slice(12) })
      for (const [meta, batch] of [[first, messages.slice(0, 12)], [second, messages.slice(12)]]) {
        assert.equal(meta.length, 3)
        for (const m of meta) {
          assert.equal(m.topicName, topic)
          assert.equal(m.errorCode, 0)
          const before = messages.slice(0, messages.indexOf(batch[0])).filter(x => x.partition === m.partition)
          assert.equal(m.baseOffset, String(before.length), `base offset of partition ${m.partition}`)
        }
      }
      const offsets = await admin.fetchTopicOffsets(topic)
      assert.deepEqual(offsets.map(o => [o.partition, o.low, o.high, o.offset]).sort(),
        [[0, '0', '10', '10'], [1, '0', '10', '10'], [2, '0', '10', '10']])
      assertReadBack(topic, messages)
    } finally {
      await producer.disconnect()
    }
  })
}

test('idempotent producer (InitProducerId, acks -1) and gzip', { timeout: 60000 }, async () => {
  const topic = 'kjs-idempotent-gzip'
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  try {
    const messages = makeMessages('idem', 40, 2)
    for (let i = 0; i < messages.length; i += 10) {
      const meta = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: messages.slice(i, i + 10) })
      assert.deepEqual(meta.map(m => m.errorCode), [0, 0])
    }
    const offsets = await admin.fetchTopicOffsets(topic)
    assert.deepEqual(offsets.map(o => [o.partition, o.high]).sort(), [[0, '20'], [1, '20']])
    assertReadBack(topic, messages)
  } finally {
    await producer.disconnect()
  }
})

test('fetchTopicOffsetsByTimestamp finds the first offset at or after a time', { timeout: 60000 }, async () => {
  const topic = 'kjs-offsets-by-time'
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  const producer = kafka.producer()
  await producer.connect()
  try {
    // One send per record: one batch each, timestamps BASE_TS + 0, 1000, ... 4000 at offsets 0..4.
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: `t${i}`, timestamp: String(BASE_TS + i * 1000) }] })
    }
  } finally {
    await producer.disconnect()
  }
  const at = async ts => (await admin.fetchTopicOffsetsByTimestamp(topic, ts))[0].offset
  assert.equal(await at(BASE_TS - 5000), '0')
  assert.equal(await at(BASE_TS), '0')
  assert.equal(await at(BASE_TS + 1), '1')
  assert.equal(await at(BASE_TS + 3000), '3')
  assert.equal(await at(BASE_TS + 4000), '4')
  // Past the last record KafkaJS falls back to the high watermark when the broker answers -1.
  assert.equal(await at(BASE_TS + 60000), '5')
})
