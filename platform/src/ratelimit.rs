//! Keyed throttling of abuse-prone endpoints (login, registration, codes, password reset) with
//! governor's GCRA limiters: one limiter per [`Bucket`], one state per caller-built key.
//!
//! Keys are built by the caller and always scoped by tenant, such as `"{tenant_id}:{ip}"` or
//! `"{tenant_id}:{email}"`. Memory stays bounded as long as the server calls
//! [`RateLimiter::housekeeping`] every minute: it forgets every key whose state has fully
//! recovered, so what is kept is at most the keys seen during the last refill period.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};

/// What is being throttled; each bucket has its own policy and its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Login attempts per client IP.
    LoginIp,
    /// Login attempts per account.
    LoginAccount,
    /// Registrations per client IP.
    RegisterIp,
    /// One-time-code verification attempts per account.
    CodeVerifyAccount,
    /// One-time codes sent per account.
    CodeSendAccount,
    /// Forgotten-password requests per client IP.
    ForgotIp,
    /// Password resets per client IP.
    ResetIp,
    /// OTP (passwordless or second factor) attempts per client IP.
    OtpIp,
    /// Failed second-factor checks (login challenge, enrolment, disabling) per client IP.
    MfaIp,
    /// Failed second-factor checks per user.
    MfaAccount,
    /// Password hashes and checks per client IP across every tenant: the argon2 pool is shared,
    /// so one client spreading guesses over many tenants must not starve the others. Set by the
    /// operator (`password_checks_per_ip_*`), not by tenants.
    PasswordCheckIp,
}

impl Bucket {
    /// Every bucket, in declaration order.
    pub const ALL: [Bucket; 11] = [
        Bucket::LoginIp,
        Bucket::LoginAccount,
        Bucket::RegisterIp,
        Bucket::CodeVerifyAccount,
        Bucket::CodeSendAccount,
        Bucket::ForgotIp,
        Bucket::ResetIp,
        Bucket::OtpIp,
        Bucket::MfaIp,
        Bucket::MfaAccount,
        Bucket::PasswordCheckIp,
    ];

    /// A stable snake-case name, for logs and metric labels.
    pub const fn name(self) -> &'static str {
        match self {
            Bucket::LoginIp => "login_ip",
            Bucket::LoginAccount => "login_account",
            Bucket::RegisterIp => "register_ip",
            Bucket::CodeVerifyAccount => "code_verify_account",
            Bucket::CodeSendAccount => "code_send_account",
            Bucket::ForgotIp => "forgot_ip",
            Bucket::ResetIp => "reset_ip",
            Bucket::OtpIp => "otp_ip",
            Bucket::MfaIp => "mfa_ip",
            Bucket::MfaAccount => "mfa_account",
            Bucket::PasswordCheckIp => "password_check_ip",
        }
    }

    /// Whether a tenant's `rate_limits` setting may change this bucket (the platform-wide
    /// budget is the operator's).
    pub const fn tenant_settable(self) -> bool {
        !matches!(self, Bucket::PasswordCheckIp)
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// A rate: `per_minute` requests a minute sustained, up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Sustained requests per minute (one is regained every `60 / per_minute` seconds).
    pub per_minute: u32,
    /// The most requests accepted at once from a fresh key.
    pub burst: u32,
}

/// The default policies.
///
/// | bucket                | per minute | burst |
/// |-----------------------|-----------:|------:|
/// | `LoginIp`             | 20         | 10    |
/// | `LoginAccount`        | 10         | 5     |
/// | `RegisterIp`          | 10         | 5     |
/// | `CodeVerifyAccount`   | 10         | 5     |
/// | `CodeSendAccount`     | 3          | 2     |
/// | `ForgotIp`            | 10         | 5     |
/// | `ResetIp`             | 10         | 5     |
/// | `OtpIp`               | 20         | 10    |
/// | `MfaIp`               | 20         | 10    |
/// | `MfaAccount`          | 10         | 5     |
/// | `PasswordCheckIp`     | 120        | 30    |
pub const DEFAULT_POLICIES: [(Bucket, Policy); 11] = [
    (
        Bucket::LoginIp,
        Policy {
            per_minute: 20,
            burst: 10,
        },
    ),
    (
        Bucket::LoginAccount,
        Policy {
            per_minute: 10,
            burst: 5,
        },
    ),
    (
        Bucket::RegisterIp,
        Policy {
            per_minute: 10,
            burst: 5,
        },
    ),
    (
        Bucket::CodeVerifyAccount,
        Policy {
            per_minute: 10,
            burst: 5,
        },
    ),
    (
        Bucket::CodeSendAccount,
        Policy {
            per_minute: 3,
            burst: 2,
        },
    ),
    (
        Bucket::ForgotIp,
        Policy {
            per_minute: 10,
            burst: 5,
        },
    ),
    (
        Bucket::ResetIp,
        Policy {
            per_minute: 10,
            burst: 5,
        },
    ),
    (
        Bucket::OtpIp,
        Policy {
            per_minute: 20,
            burst: 10,
        },
    ),
    (
        Bucket::MfaIp,
        Policy {
            per_minute: 20,
            burst: 10,
        },
    ),
    (
        Bucket::MfaAccount,
        Policy {
            per_minute: 10,
            burst: 5,
        },
    ),
    (
        Bucket::PasswordCheckIp,
        Policy {
            per_minute: 120,
            burst: 30,
        },
    ),
];

/// How long to wait before the next request of a throttled key may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds for a `Retry-After` header: rounded up, at least 1.
    pub fn secs(&self) -> u64 {
        let whole = self.0.as_secs();
        let rounded = if self.0.subsec_nanos() > 0 {
            whole.saturating_add(1)
        } else {
            whole
        };
        rounded.max(1)
    }
}

type Keyed = DefaultKeyedRateLimiter<String>;

/// One keyed limiter per [`Bucket`]; cheap to clone (an `Arc` inside) and safe to share.
#[derive(Clone)]
pub struct RateLimiter {
    limiters: Arc<[Keyed; Bucket::ALL.len()]>,
    policies: [Policy; Bucket::ALL.len()],
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("policies", &self.policies)
            .finish_non_exhaustive()
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl RateLimiter {
    /// Limiters with the [`DEFAULT_POLICIES`].
    pub fn new() -> Self {
        Self::with_policies(&[])
    }

    /// Limiters with the defaults, except for the buckets in `overrides` (a later entry wins).
    /// A zero rate or burst is raised to 1.
    pub fn with_policies(overrides: &[(Bucket, Policy)]) -> Self {
        let mut policies = DEFAULT_POLICIES.map(|(_, policy)| policy);
        for (bucket, policy) in overrides {
            policies[bucket.index()] = *policy;
        }
        let limiters = policies.map(|policy| Keyed::keyed(quota(policy)));
        Self {
            limiters: Arc::new(limiters),
            policies,
        }
    }

    /// The policy in force for `bucket`.
    pub fn policy(&self, bucket: Bucket) -> Policy {
        self.policies[bucket.index()]
    }

    /// Counts one request of `key` in `bucket`: `Ok` when it may proceed, otherwise how long to
    /// wait (answer 429 with `Retry-After: {secs}`).
    pub fn check(&self, bucket: Bucket, key: &str) -> Result<(), RetryAfter> {
        let limiter = &self.limiters[bucket.index()];
        limiter.check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(limiter.clock().now());
            tracing::debug!(bucket = bucket.name(), "rate limited");
            RetryAfter(wait)
        })
    }

    /// Forgets the keys whose state has fully recovered and releases spare memory. The server
    /// calls this every minute (a `tokio::time::interval` task); without it every key ever seen
    /// stays in memory.
    pub fn housekeeping(&self) {
        for limiter in self.limiters.iter() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// How many keys are tracked over all buckets (an estimate), for metrics.
    pub fn tracked_keys(&self) -> usize {
        self.limiters.iter().map(Keyed::len).sum()
    }
}

fn quota(policy: Policy) -> Quota {
    let per_minute = NonZeroU32::new(policy.per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(policy.burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> RateLimiter {
        RateLimiter::with_policies(&[
            (
                Bucket::LoginIp,
                Policy {
                    per_minute: 1,
                    burst: 2,
                },
            ),
            (
                Bucket::LoginAccount,
                Policy {
                    per_minute: 1,
                    burst: 1,
                },
            ),
        ])
    }

    #[test]
    fn defaults_match_the_table() {
        let limiter = RateLimiter::new();
        for (bucket, policy) in DEFAULT_POLICIES {
            assert_eq!(limiter.policy(bucket), policy);
        }
        assert_eq!(
            limiter.policy(Bucket::CodeSendAccount),
            Policy {
                per_minute: 3,
                burst: 2
            }
        );
        for (i, bucket) in Bucket::ALL.iter().enumerate() {
            assert_eq!(bucket.index(), i);
            assert_eq!(DEFAULT_POLICIES[i].0, *bucket);
        }
    }

    #[test]
    fn default_burst_passes_then_refuses() {
        let limiter = RateLimiter::new();
        for _ in 0..2 {
            assert!(limiter.check(Bucket::CodeSendAccount, "t1:a@x.com").is_ok());
        }
        let retry = limiter
            .check(Bucket::CodeSendAccount, "t1:a@x.com")
            .expect_err("limited");
        // 3 a minute: one more after about 20 s.
        assert!((1..=20).contains(&retry.secs()), "{retry:?}");
    }

    #[test]
    fn burst_passes_then_the_next_is_refused() {
        let limiter = small();
        assert!(limiter.check(Bucket::LoginIp, "t1:10.0.0.1").is_ok());
        assert!(limiter.check(Bucket::LoginIp, "t1:10.0.0.1").is_ok());
        let retry = limiter
            .check(Bucket::LoginIp, "t1:10.0.0.1")
            .expect_err("limited");
        assert!(retry.secs() >= 1);
        assert!(retry.secs() <= 60, "{retry:?}");
        assert!(retry.0 > Duration::from_secs(50), "{retry:?}");
    }

    #[test]
    fn keys_are_independent() {
        let limiter = small();
        assert!(limiter.check(Bucket::LoginAccount, "t1:a@x.com").is_ok());
        assert!(limiter.check(Bucket::LoginAccount, "t1:a@x.com").is_err());
        assert!(limiter.check(Bucket::LoginAccount, "t1:b@x.com").is_ok());
        // Same account in another tenant.
        assert!(limiter.check(Bucket::LoginAccount, "t2:a@x.com").is_ok());
    }

    #[test]
    fn buckets_are_independent() {
        let limiter = small();
        assert!(limiter.check(Bucket::LoginAccount, "t1:k").is_ok());
        assert!(limiter.check(Bucket::LoginAccount, "t1:k").is_err());
        for bucket in Bucket::ALL {
            if bucket != Bucket::LoginAccount {
                assert!(limiter.check(bucket, "t1:k").is_ok(), "{bucket:?}");
            }
        }
    }

    #[test]
    fn housekeeping_keeps_limited_keys() {
        let limiter = small();
        assert!(limiter.check(Bucket::LoginAccount, "t1:a").is_ok());
        assert!(limiter.check(Bucket::LoginIp, "t1:ip").is_ok());
        assert_eq!(limiter.tracked_keys(), 2);
        limiter.housekeeping();
        // Both are still recovering, so both are kept and still counted.
        assert_eq!(limiter.tracked_keys(), 2);
        assert!(limiter.check(Bucket::LoginAccount, "t1:a").is_err());
    }

    #[test]
    fn zero_policy_is_raised_to_one() {
        let limiter = RateLimiter::with_policies(&[(
            Bucket::OtpIp,
            Policy {
                per_minute: 0,
                burst: 0,
            },
        )]);
        assert!(limiter.check(Bucket::OtpIp, "k").is_ok());
        assert!(limiter.check(Bucket::OtpIp, "k").is_err());
    }

    #[test]
    fn retry_after_rounds_up_to_at_least_one_second() {
        assert_eq!(RetryAfter(Duration::ZERO).secs(), 1);
        assert_eq!(RetryAfter(Duration::from_millis(1)).secs(), 1);
        assert_eq!(RetryAfter(Duration::from_secs(1)).secs(), 1);
        assert_eq!(RetryAfter(Duration::from_millis(1_001)).secs(), 2);
        assert_eq!(RetryAfter(Duration::from_secs(59)).secs(), 59);
    }
}
