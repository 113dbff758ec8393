// KafkaJS over SASL_SSL with SCRAM-SHA-512: a producer and a group consumer log in and round-trip records;
// a wrong password is refused. Run through ../test_security.py, which starts brookd with a SASL_SSL-only
// Kafka listener and sets env KAFKA_BOOTSTRAP, KAFKA_CA, KAFKA_TOPIC, KAFKA_USER, KAFKA_PASSWORD.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = require('kafkajs')

const { KAFKA_BOOTSTRAP: bootstrap, KAFKA_CA: caFile, KAFKA_TOPIC: topic } = process.env
assert.ok(bootstrap && caFile && topic, 'run through ../test_security.py')

function client (password, username = process.env.KAFKA_USER) {
  return new Kafka({
    clientId: 'brook-compat-kafkajs-security',
    brokers: [bootstrap],
    ssl: { ca: [fs.readFileSync(caFile, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username, password },
    logLevel: logLevel.NOTHING,
    connectionTimeout: 10000,
    requestTimeout: 15000,
    retry: { retries: 2 }
  })
}

test('produce and consume in a group with SCRAM-SHA-512 over TLS', async () => {
  const kafka = client(process.env.KAFKA_PASSWORD)
  const producer = kafka.producer()
  await producer.connect()
  const values = Array.from({ length: 20 }, (_, i) => `kafkajs-secure-${i}`)
  await producer.send({ topic, acks: -1, messages: values.map(value => ({ value })) })
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: 'g-kafkajs-secure', maxWaitTimeInMs: 200 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const seen = new Set()
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`saw ${seen.size} of ${values.length}`)), 60000)
    consumer.run({
      eachMessage: async ({ message }) => {
        seen.add(message.value.toString())
        if (values.every(v => seen.has(v))) {
          clearTimeout(timer)
          resolve()
        }
      }
    }).catch(reject)
  })
  await consumer.disconnect()
})

test('a wrong password is refused', async () => {
  const producer = client('not-the-password').producer()
  await assert.rejects(producer.connect(), err => /SASL|authentication/i.test(`${err.name} ${err.message}`))
})

test('a super user manages ACLs with createAcls, describeAcls and deleteAcls', async () => {
  const admin = client(process.env.KAFKA_ADMIN_PASSWORD, 'admin').admin()
  await admin.connect()
  const acl = {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: 'kafkajs-acl-topic',
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    principal: 'User:kafkajs',
    host: '*',
    operation: AclOperationTypes.READ,
    permissionType: AclPermissionTypes.ALLOW
  }
  assert.equal(await admin.createAcls({ acl: [acl] }), true)
  const filter = {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: 'kafkajs-acl-topic',
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    principal: 'User:kafkajs',
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY
  }
  const described = await admin.describeAcls(filter)
  assert.equal(described.resources.length, 1)
  assert.equal(described.resources[0].acls[0].operation, AclOperationTypes.READ)
  const deleted = await admin.deleteAcls({ filters: [filter] })
  assert.equal(deleted.filterResponses[0].matchingAcls.length, 1)
  assert.equal((await admin.describeAcls(filter)).resources.length, 0)
  await admin.disconnect()
})

