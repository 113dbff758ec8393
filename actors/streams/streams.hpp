#pragma once
// Brook Streams: stream handlers as CAF actors, with the three urgencies. Include this one header
// (and test_driver.hpp in unit tests, serdes_msgpack.hpp / serdes_json.hpp for those serdes).
//   record.hpp, serdes.hpp     records and serdes (serdes_msgpack.hpp, serdes_json.hpp: more)
//   urgency.hpp                urgent{}, not_so_urgent{deadline}, flexible{deadline}
//   processor.hpp              the Processor API: processor<KIn,VIn,KOut,VOut>, processor_context
//   state_store.hpp            kv_store, window_store, session_store and their builders
//   topology.hpp               topology: sources, processors, sinks, stores
//   dsl.hpp                    stream_builder, kstream, kgrouped_stream, ktable, windows, joins
//   kafka_streams.hpp          running a topology against Brook (kafka_streams)
//   test_driver.hpp            running a topology in-process, for unit tests (not included)
#include "actors/streams/dsl.hpp"
#include "actors/streams/kafka_streams.hpp"
#include "actors/streams/processor.hpp"
#include "actors/streams/record.hpp"
#include "actors/streams/serdes.hpp"
#include "actors/streams/state_store.hpp"
#include "actors/streams/streams_config.hpp"
#include "actors/streams/topology.hpp"
#include "actors/streams/urgency.hpp"
