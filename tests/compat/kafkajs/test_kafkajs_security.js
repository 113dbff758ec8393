// KafkaJS over SASL_SSL with SCRAM-SHA-512: a producer and a group consumer log in and round-trip records;
// a wrong password is refused. Run through ../test_security.py, which starts brookd with a SASL_SSL-only
// Kafka listener and sets env KAFKA_BOOTSTRAP, KAFKA_CA, KAFKA_TOPIC, KAFKA_USER, KAFKA_PASSWORD.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const { Kafka, logLevel } = require('kafkajs')

const { KAFKA_BOOTSTRAP: bootstrap, KAFKA_CA: caFile, KAFKA_TOPIC: topic } = process.env
assert.ok(bootstrap && caFile && topic, 'run through ../test_security.py')

function client (password) {
  return new Kafka({
    clientId: 'brook-compat-kafkajs-security',
    brokers: [bootstrap],
    ssl: { ca: [fs.readFileSync(caFile, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: process.env.KAFKA_USER, password },
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
