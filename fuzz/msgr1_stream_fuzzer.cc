// msgr v1 stream framing (codec/msgr1/connection_decoder.h): the same two byte streams fed whole
// (c2s first, s2c first) and in fuzzer-chosen chunks and interleavings must give the same items
// and errors per direction; see stream_fuzz.h. Seeds: every recorded v1 connection.
#include "codec/msgr1/connection_decoder.h"
#include "fuzz/stream_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return cephwire::fuzz::run_stream<cephwire::codec::msgr1::ConnectionDecoder>(data, size);
}
