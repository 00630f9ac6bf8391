@testable import MailCanaryServer
import MailCanaryStorage
import Testing

@Suite("Sessions and passwords")
struct SessionPolicyTests {
    @Test("a session ends when idle too long or too old, whichever comes first; use is recorded once a minute")
    func timeouts() {
        let policy = SessionPolicy(idleMs: 30 * 60_000, maximumMs: 12 * 3_600_000)
        let session = SessionRecord(idHash: "h", user: "u", csrfToken: "c", createdMs: 0, lastSeenMs: 0)
        #expect(policy.decide(session, nowMs: 30_000) == .valid(touch: false))
        #expect(policy.decide(session, nowMs: 60_000) == .valid(touch: true))
        #expect(policy.decide(session, nowMs: 30 * 60_000) == .idle)
        var busy = session
        busy.lastSeenMs = 12 * 3_600_000 - 1_000
        #expect(policy.decide(busy, nowMs: 12 * 3_600_000 - 500) == .valid(touch: false))
        #expect(policy.decide(busy, nowMs: 12 * 3_600_000) == .tooOld)
    }

    @Test("scrypt hashes verify, refuse a wrong password, and never crash on a malformed hash")
    func passwords() throws {
        var cheap = PasswordHasher.Parameters()
        cheap.rounds = 1 << 10
        let hash = try PasswordHasher.hash("correct horse battery staple", parameters: cheap)
        #expect(hash.hasPrefix("scrypt$1024$8$1$"))
        #expect(PasswordHasher.verify("correct horse battery staple", against: hash))
        #expect(!PasswordHasher.verify("correct horse battery stapler", against: hash))
        #expect(try PasswordHasher.hash("correct horse battery staple", parameters: cheap) != hash, "salted")
        for bad in ["", "scrypt", "scrypt$1024$8$1$!!$!!", "scrypt$1000$8$1$AAAA$AAAA", "bcrypt$x", "scrypt$1024$8$1$AAAA$" + String(repeating: "A", count: 44),
                    "scrypt$4194304$8$1$AAAA$" + String(repeating: "A", count: 43) + "="] {
            #expect(!PasswordHasher.verify("x", against: bad), "\(bad)")
        }
        #expect(PasswordHasher.check("short") == .tooShort(minimum: 12))
        #expect(PasswordHasher.check(String(repeating: "x", count: 2_000)) == .tooLong(maximum: 1_024))
        #expect(PasswordHasher.check("a long enough passphrase") == nil)
        // The default costs 32 MiB (N = 2^15, r = 8): memory-hard, as an interactive login allows.
        #expect(PasswordHasher.Parameters().rounds == 1 << 15)
    }

    @Test("form tokens compare whole; next= stays on this site")
    func tokensAndRedirects() {
        #expect(SessionPolicy.tokensMatch("abc", "abc"))
        #expect(!SessionPolicy.tokensMatch("abc", "abd"))
        #expect(!SessionPolicy.tokensMatch("", ""))
        #expect(!SessionPolicy.tokensMatch("abc", "abcd"))
        #expect(LoginController.safeNext("/incidents/x?y=1") == "/incidents/x?y=1")
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "javascript:alert(1)", nil, "/a b"] {
            #expect(LoginController.safeNext(bad) == "/", "\(bad ?? "nil")")
        }
        #expect(SessionPolicy.newSecret() != SessionPolicy.newSecret())
        #expect(SessionPolicy.newSecret().count == 43)
    }
}
