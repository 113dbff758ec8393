#include "runtime/security/sasl.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <climits>
#include <vector>

namespace brook::runtime::security {
namespace {

// Any single SASL message above this is refused before parsing.
constexpr size_t max_message_size = 64 * 1024;
constexpr size_t salt_size = 32;
constexpr size_t server_nonce_bytes = 24;  // 32 base64 characters, no padding

const EVP_MD* digest(scram_mechanism m) {
  return m == scram_mechanism::sha256 ? EVP_sha256() : EVP_sha512();
}

size_t hash_size(scram_mechanism m) {
  return m == scram_mechanism::sha256 ? 32 : 64;
}

bytes to_bytes(std::string_view s) {
  return bytes(s.begin(), s.end());
}

bytes hmac(scram_mechanism m, const bytes& key, std::string_view data) {
  bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  BROOK_ASSERT(key.size() <= size_t(INT_MAX), "hmac: key too long");
  const auto* d = reinterpret_cast<const unsigned char*>(data.data());
  BROOK_ASSERT(HMAC(digest(m), key.data(), int(key.size()), d, data.size(), out.data(), &n),
               "HMAC failed");
  out.resize(n);
  return out;
}

bytes hash(scram_mechanism m, const bytes& data) {
  bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  BROOK_ASSERT(EVP_Digest(data.data(), data.size(), out.data(), &n, digest(m), nullptr) == 1,
               "EVP_Digest failed");
  out.resize(n);
  return out;
}

bytes random_bytes(size_t n) {
  bytes b(n);
  BROOK_ASSERT(RAND_bytes(b.data(), int(n)) == 1, "RAND_bytes failed");
  return b;
}

bool equal_constant_time(const bytes& a, const bytes& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Key for the fake salts of unknown users: random per process, so salts are stable while the
// process lives but cannot be predicted or matched against another broker's.
const bytes& fake_salt_key() {
  static const bytes key = random_bytes(32);
  return key;
}

// A credential for a user that does not exist: the same shape as a real one, so server-first
// looks normal and the final step runs the same code before failing.
scram_credential fake_credential(scram_mechanism m, const std::string& user) {
  const std::string label = std::string(to_string(m)) + '\0' + user;
  scram_credential c;
  c.mechanism = m;
  c.salt = hmac(scram_mechanism::sha256, fake_salt_key(), "salt:" + label);
  c.stored_key = hmac(m, fake_salt_key(), "stored:" + label);
  c.server_key = hmac(m, fake_salt_key(), "server:" + label);
  c.iterations = scram_min_iterations;
  return c;
}

bool well_formed(const scram_credential& c, scram_mechanism m) {
  return c.mechanism == m && !c.salt.empty() && c.stored_key.size() == hash_size(m) &&
         c.server_key.size() == hash_size(m) && c.iterations >= 1 &&
         c.iterations <= scram_max_iterations;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; any other '=' and NUL are invalid.
std::optional<std::string> decode_saslname(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\0') return std::nullopt;
    if (s[i] != '=') {
      out += s[i];
      continue;
    }
    const std::string_view esc = s.substr(i + 1, 2);
    if (esc == "2C") {
      out += ',';
    } else if (esc == "3D") {
      out += '=';
    } else {
      return std::nullopt;
    }
    i += 2;
  }
  return out;
}

// RFC 5802 "printable": %x21-2B / %x2D-7E (no comma).
bool printable(std::string_view s) {
  for (char ch : s) {
    if (ch < 0x21 || ch > 0x7e || ch == ',') return false;
  }
  return !s.empty();
}

// An extension "name=value": Kafka's names are word characters.
bool split_extension(std::string_view field, std::string_view& name, std::string_view& value) {
  const size_t eq = field.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  name = field.substr(0, eq);
  value = field.substr(eq + 1);
  for (char ch : name) {
    const bool word = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '_';
    if (!word) return false;
  }
  return true;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<int32_t> parse_int32(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  int64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  if (v > INT32_MAX) return std::nullopt;
  return int32_t(v);
}

constexpr char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '+') return 62;
  if (ch == '/') return 63;
  return -1;
}

}  // namespace

std::optional<scram_mechanism> parse_scram_mechanism(std::string_view name) {
  if (name == "SCRAM-SHA-256") return scram_mechanism::sha256;
  if (name == "SCRAM-SHA-512") return scram_mechanism::sha512;
  return std::nullopt;
}

const char* to_string(scram_mechanism m) {
  return m == scram_mechanism::sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
}

// --- credentials ---------------------------------------------------------------------------

namespace {

// The keys SCRAM derives from a password: ClientKey (only the client keeps it), StoredKey and
// ServerKey.
struct scram_keys {
  bytes client_key;
  bytes stored_key;
  bytes server_key;
};

scram_keys derive_keys(scram_mechanism m, std::string_view password, const bytes& salt,
                       int32_t iterations) {
  BROOK_ASSERT(iterations > 0, "SCRAM: iterations must be positive");
  BROOK_ASSERT(password.size() <= size_t(INT_MAX) && salt.size() <= size_t(INT_MAX),
               "SCRAM: input too long");
  // SaltedPassword := Hi(password, salt, i), i.e. PBKDF2 with HMAC over the mechanism's hash.
  bytes salted(hash_size(m));
  BROOK_ASSERT(
      PKCS5_PBKDF2_HMAC(password.data(), int(password.size()), salt.data(), int(salt.size()),
                        iterations, digest(m), int(salted.size()), salted.data()) == 1,
      "PKCS5_PBKDF2_HMAC failed");
  scram_keys k;
  k.client_key = hmac(m, salted, "Client Key");
  k.stored_key = hash(m, k.client_key);
  k.server_key = hmac(m, salted, "Server Key");
  OPENSSL_cleanse(salted.data(), salted.size());
  return k;
}

}  // namespace

scram_credential make_scram_credential(scram_mechanism m, std::string_view password,
                                       const bytes& salt, int32_t iterations) {
  auto k = derive_keys(m, password, salt, iterations);
  OPENSSL_cleanse(k.client_key.data(), k.client_key.size());
  scram_credential c;
  c.mechanism = m;
  c.salt = salt;
  c.iterations = iterations;
  c.stored_key = std::move(k.stored_key);
  c.server_key = std::move(k.server_key);
  return c;
}

result<scram_credential> make_scram_credential(scram_mechanism m, std::string_view password,
                                               int32_t iterations) {
  if (iterations < scram_min_iterations || iterations > scram_max_iterations) {
    return status{errc::invalid_config, std::string(to_string(m)) + " iterations must be between " +
                                            std::to_string(scram_min_iterations) + " and " +
                                            std::to_string(scram_max_iterations) + ", got " +
                                            std::to_string(iterations)};
  }
  return make_scram_credential(m, password, random_bytes(salt_size), iterations);
}

std::string to_text(const scram_credential& c) {
  return "salt=" + base64_encode(c.salt) + ",stored_key=" + base64_encode(c.stored_key) +
         ",server_key=" + base64_encode(c.server_key) +
         ",iterations=" + std::to_string(c.iterations);
}

result<scram_credential> parse_scram_credential(scram_mechanism m, std::string_view text) {
  auto bad = [&](const std::string& why) {
    return status{errc::invalid_config,
                  "invalid " + std::string(to_string(m)) + " credential: " + why};
  };
  std::optional<bytes> salt, stored_key, server_key;
  std::optional<int32_t> iterations;
  for (std::string_view field : split(text, ',')) {
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos) return bad("expected key=value");
    const std::string_view key = field.substr(0, eq);
    const std::string_view value = field.substr(eq + 1);
    std::optional<bytes>* target = key == "salt"         ? &salt
                                   : key == "stored_key" ? &stored_key
                                   : key == "server_key" ? &server_key
                                                         : nullptr;
    if (target) {
      if (target->has_value()) return bad("duplicate " + std::string(key));
      auto decoded = base64_decode(value);
      if (!decoded) return bad(std::string(key) + " is not base64");
      *target = std::move(*decoded);
    } else if (key == "iterations") {
      if (iterations) return bad("duplicate iterations");
      iterations = parse_int32(value);
      if (!iterations) return bad("iterations is not a number");
    } else {
      return bad("unknown key " + std::string(key));
    }
  }
  if (!salt || !stored_key || !server_key || !iterations) return bad("missing key");
  if (salt->empty()) return bad("empty salt");
  if (stored_key->size() != hash_size(m) || server_key->size() != hash_size(m)) {
    return bad("key size does not match the mechanism");
  }
  if (*iterations < scram_min_iterations || *iterations > scram_max_iterations) {
    return bad("iterations out of range");
  }
  return scram_credential{m, std::move(*salt), std::move(*stored_key), std::move(*server_key),
                          *iterations};
}

bool password_matches(const scram_credential& c, std::string_view password) {
  if (!well_formed(c, c.mechanism) || password.size() > max_message_size) return false;
  const scram_credential recomputed =
      make_scram_credential(c.mechanism, password, c.salt, c.iterations);
  return equal_constant_time(recomputed.stored_key, c.stored_key);
}

// --- base64 --------------------------------------------------------------------------------

std::string base64_encode(const uint8_t* p, size_t n) {
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = uint32_t(p[i]) << 16 | uint32_t(p[i + 1]) << 8 | p[i + 2];
    out += b64_alphabet[v >> 18];
    out += b64_alphabet[(v >> 12) & 63];
    out += b64_alphabet[(v >> 6) & 63];
    out += b64_alphabet[v & 63];
  }
  if (n - i == 1) {
    const uint32_t v = uint32_t(p[i]) << 16;
    out += b64_alphabet[v >> 18];
    out += b64_alphabet[(v >> 12) & 63];
    out += "==";
  } else if (n - i == 2) {
    const uint32_t v = uint32_t(p[i]) << 16 | uint32_t(p[i + 1]) << 8;
    out += b64_alphabet[v >> 18];
    out += b64_alphabet[(v >> 12) & 63];
    out += b64_alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

result<bytes> base64_decode(std::string_view text) {
  auto bad = [](const char* why) {
    return status{errc::invalid_request, std::string("invalid base64: ") + why};
  };
  if (text.size() % 4 != 0) return bad("length is not a multiple of 4");
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  bytes out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const size_t chars = last ? 4 - pad : 4;
    uint32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      int d = 0;
      if (j < chars) {
        d = b64_value(text[i + j]);
        if (d < 0) return bad("character outside the alphabet");
      }
      v = v << 6 | uint32_t(d);
    }
    out.push_back(uint8_t(v >> 16));
    if (chars >= 3) out.push_back(uint8_t(v >> 8));
    if (chars == 4) out.push_back(uint8_t(v));
    // Canonical form only: the bits under the padding must be zero.
    if ((chars == 2 && (v & 0xffff) != 0) || (chars == 3 && (v & 0xff) != 0)) {
      return bad("non-zero pad bits");
    }
  }
  return out;
}

// --- PLAIN ---------------------------------------------------------------------------------

result<plain_login> parse_plain(std::string_view message) {
  auto bad = [](const char* why) {
    return status{errc::sasl_authentication_failed, std::string("Authentication failed: ") + why};
  };
  if (message.size() > max_message_size) return bad("PLAIN message too large");
  const auto parts = split(message, '\0');
  if (parts.size() != 3) return bad("invalid SASL/PLAIN message");
  const std::string_view authzid = parts[0], user = parts[1], password = parts[2];
  if (user.empty()) return bad("username not specified");
  if (password.empty()) return bad("password not specified");
  if (!authzid.empty() && authzid != user) {
    return bad("Client requested an authorization id that is different from username");
  }
  return plain_login{std::string(user), std::string(password)};
}

// --- SCRAM server --------------------------------------------------------------------------

scram_server::scram_server(scram_mechanism m, lookup_fn lookup)
    : mechanism_(m), lookup_(std::move(lookup)) {}

status scram_server::fail(std::string message) {
  state_ = state::failed;
  return status{
      errc::sasl_authentication_failed,
      "Authentication failed: " + std::string(to_string(mechanism_)) + ": " + std::move(message)};
}

status scram_server::fail_credentials() {
  state_ = state::failed;
  // Kafka's text; the same for an unknown user and a wrong password.
  return status{errc::sasl_authentication_failed,
                "Authentication failed during authentication due to invalid credentials with "
                "SASL mechanism " +
                    std::string(to_string(mechanism_))};
}

result<std::string> scram_server::step(std::string_view client_message) {
  switch (state_) {
    case state::client_first:
    case state::client_final:
      break;
    case state::authenticated:
      return status{errc::illegal_sasl_state,
                    std::string(to_string(mechanism_)) + " exchange already completed"};
    case state::failed:
      return status{errc::illegal_sasl_state,
                    std::string(to_string(mechanism_)) + " exchange already failed"};
  }
  if (client_message.size() > max_message_size) return fail("client message too large");
  return state_ == state::client_first ? on_client_first(client_message)
                                       : on_client_final(client_message);
}

result<std::string> scram_server::on_client_first(std::string_view msg) {
  // gs2-header: cbind-flag "," [authzid] ","
  size_t pos;
  if (starts_with(msg, "n,") || starts_with(msg, "y,")) {
    // "y": the client could bind but believes we cannot, which is true.
    pos = 2;
  } else if (starts_with(msg, "p=")) {
    return fail("channel binding is not supported");
  } else {
    return fail("invalid client-first message: bad gs2 header");
  }
  const size_t authz_end = msg.find(',', pos);
  if (authz_end == std::string_view::npos) return fail("invalid client-first message");
  const std::string_view authz_field = msg.substr(pos, authz_end - pos);
  std::optional<std::string> authzid;
  if (!authz_field.empty()) {
    if (!starts_with(authz_field, "a=")) return fail("invalid client-first message: authzid");
    authzid = decode_saslname(authz_field.substr(2));
    if (!authzid || authzid->empty()) return fail("invalid client-first message: authzid");
  }
  gs2_header_ = std::string(msg.substr(0, authz_end + 1));
  client_first_bare_ = std::string(msg.substr(authz_end + 1));

  // client-first-message-bare: "n=" saslname ",r=" c-nonce ["," extensions]
  const auto fields = split(client_first_bare_, ',');
  if (starts_with(fields[0], "m=")) return fail("mandatory extension not supported");
  if (fields.size() < 2 || !starts_with(fields[0], "n=") || !starts_with(fields[1], "r=")) {
    return fail("invalid client-first message");
  }
  auto user = decode_saslname(fields[0].substr(2));
  if (!user || user->empty()) return fail("invalid client-first message: user name");
  const std::string_view client_nonce = fields[1].substr(2);
  if (!printable(client_nonce)) return fail("invalid client-first message: nonce");
  for (size_t i = 2; i < fields.size(); ++i) {
    std::string_view name, value;
    if (!split_extension(fields[i], name, value)) {
      return fail("invalid client-first message: extension");
    }
    // Kafka's delegation-token login; Brook has no delegation tokens. Others are ignored.
    if (name == "tokenauth" && equals_ignore_case(value, "true")) {
      return fail("delegation tokens are not supported");
    }
  }
  if (authzid && *authzid != *user) {
    return fail("Client requested an authorization id that is different from username");
  }
  user_ = std::move(*user);

  std::optional<scram_credential> found = lookup_ ? lookup_(user_) : std::nullopt;
  unknown_user_ = !found || !well_formed(*found, mechanism_);
  credential_ = unknown_user_ ? fake_credential(mechanism_, user_) : std::move(*found);

  const std::string server_nonce =
      !test_nonce_.empty() ? test_nonce_ : base64_encode(random_bytes(server_nonce_bytes));
  nonce_ = std::string(client_nonce) + server_nonce;
  server_first_ = "r=" + nonce_ + ",s=" + base64_encode(credential_.salt) +
                  ",i=" + std::to_string(credential_.iterations);
  state_ = state::client_final;
  return server_first_;
}

result<std::string> scram_server::on_client_final(std::string_view msg) {
  // client-final-message: "c=" b64 ",r=" nonce ["," extensions] ",p=" b64 proof
  const size_t proof_at = msg.rfind(",p=");
  if (proof_at == std::string_view::npos) return fail("invalid client-final message: no proof");
  const std::string_view without_proof = msg.substr(0, proof_at);
  const std::string_view proof_b64 = msg.substr(proof_at + 3);
  const auto fields = split(without_proof, ',');
  if (fields.size() < 2 || !starts_with(fields[0], "c=") || !starts_with(fields[1], "r=")) {
    return fail("invalid client-final message");
  }
  for (size_t i = 2; i < fields.size(); ++i) {
    std::string_view name, value;
    if (!split_extension(fields[i], name, value)) {
      return fail("invalid client-final message: extension");
    }
  }
  const auto binding = base64_decode(fields[0].substr(2));
  if (!binding || *binding != to_bytes(gs2_header_)) return fail("channel binding mismatch");
  // Kafka's rule: the nonce must end with the one server-first sent. librdkafka (2.0) puts its
  // client nonce in front of the whole nonce again; the proof covers what it sent either way.
  const std::string_view nonce = fields[1].substr(2);
  if (nonce.size() < nonce_.size() || nonce.substr(nonce.size() - nonce_.size()) != nonce_)
    return fail("nonce mismatch");
  const auto proof = base64_decode(proof_b64);
  if (!proof || proof->size() != hash_size(mechanism_)) {
    return fail("invalid client-final message: proof");
  }

  const std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  const bytes client_signature = hmac(mechanism_, credential_.stored_key, auth_message);
  bytes client_key(proof->size());
  for (size_t i = 0; i < client_key.size(); ++i) {
    client_key[i] = uint8_t((*proof)[i] ^ client_signature[i]);
  }
  const bool proof_ok = equal_constant_time(hash(mechanism_, client_key), credential_.stored_key);
  if (!proof_ok || unknown_user_) return fail_credentials();

  const bytes server_signature = hmac(mechanism_, credential_.server_key, auth_message);
  state_ = state::authenticated;
  return "v=" + base64_encode(server_signature);
}

// --- client side ---------------------------------------------------------------------------

scram_client::scram_client(scram_mechanism m, std::string user, std::string password)
    : mechanism_(m), user_(std::move(user)), password_(std::move(password)) {}

std::string scram_client::first_message() {
  std::string name;
  for (char ch : user_) name += ch == ',' ? "=2C" : ch == '=' ? "=3D" : std::string(1, ch);
  nonce_ = base64_encode(random_bytes(server_nonce_bytes));
  first_bare_ = "n=" + name + ",r=" + nonce_;
  return "n,," + first_bare_;
}

result<std::string> scram_client::final_message(std::string_view server_first) {
  auto bad = [](const std::string& why) {
    return status{errc::sasl_authentication_failed, "SCRAM server-first: " + why};
  };
  std::string_view nonce, salt_b64, iterations;
  for (auto field : split(server_first, ',')) {
    if (starts_with(field, "m=")) return bad("a mandatory extension");
    if (starts_with(field, "r=")) nonce = field.substr(2);
    if (starts_with(field, "s=")) salt_b64 = field.substr(2);
    if (starts_with(field, "i=")) iterations = field.substr(2);
  }
  if (nonce.size() <= nonce_.size() || nonce.substr(0, nonce_.size()) != nonce_)
    return bad("the nonce does not extend ours");
  auto salt = base64_decode(salt_b64);
  auto i = parse_int32(iterations);
  if (!salt || salt->empty()) return bad("no salt");
  if (!i || *i < scram_min_iterations || *i > scram_max_iterations)
    return bad("iterations outside 4096..16384");
  auto keys = derive_keys(mechanism_, password_, *salt, *i);
  const std::string without_proof = "c=biws,r=" + std::string(nonce);
  const std::string auth_message =
      first_bare_ + "," + std::string(server_first) + "," + without_proof;
  bytes proof = hmac(mechanism_, keys.stored_key, auth_message);
  for (size_t k = 0; k < proof.size(); ++k) proof[k] ^= keys.client_key[k];
  expected_server_signature_ =
      "v=" + base64_encode(hmac(mechanism_, keys.server_key, auth_message));
  OPENSSL_cleanse(keys.client_key.data(), keys.client_key.size());
  return without_proof + ",p=" + base64_encode(proof);
}

status scram_client::verify(std::string_view server_final) const {
  if (expected_server_signature_.empty() || server_final != expected_server_signature_)
    return {errc::sasl_authentication_failed,
            "SCRAM server-final: the server did not prove it knows the credential"};
  return {};
}

}  // namespace brook::runtime::security
