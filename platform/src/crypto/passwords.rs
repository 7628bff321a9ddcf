//! Argon2id password hashing off the async workers, with bounded concurrency and a bounded queue.
//!
//! Every hash and verification runs in `tokio::task::spawn_blocking`, at most `max_concurrent` at
//! once; when `max_waiting` callers already wait for a slot, the next is refused at once with
//! [`CryptoError::Busy`] (answered with 503) rather than queued without bound.
//!
//! Argon2's working memory (19 MiB) is kept between hashes, one buffer per slot, and wiped after
//! each use. Allocating and freeing it per hash left freed 19 MiB chunks in the allocator's
//! per-thread arenas: a login flood grew the server to 1 GB.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use argon2::{
    ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::phc::{Output, ParamsString, Salt},
};
use rand::RngCore;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};
use zeroize::Zeroize;

use crate::crypto::CryptoError;
use crate::domain::Password;

/// OWASP's Argon2id memory cost, in KiB (19 MiB).
pub const DEFAULT_M_KIB: u32 = 19_456;
/// OWASP's Argon2id iteration count.
pub const DEFAULT_T: u32 = 2;
/// OWASP's Argon2id parallelism.
pub const DEFAULT_P: u32 = 1;

// `PasswordHasher::new` uses argon2's defaults, which are OWASP's.
const _: () = assert!(
    Params::DEFAULT.m_cost() == DEFAULT_M_KIB
        && Params::DEFAULT.t_cost() == DEFAULT_T
        && Params::DEFAULT.p_cost() == DEFAULT_P
);

/// Salt length in bytes.
const SALT_LEN: usize = 16;

/// The outcome of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    /// The password matches the stored hash.
    pub ok: bool,
    /// The password matched but the stored hash was made with another algorithm, version or
    /// parameters: store a fresh [`PasswordHasher::hash`] of it. Never true when `ok` is false.
    pub needs_rehash: bool,
}

/// Argon2id hashing and verification with admission control; cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    semaphore: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    /// A hash of a random password with the current parameters, verified against when there is
    /// no stored hash, so that an unknown account costs as much as a known one. `None` only if
    /// computing it failed; then a fresh hash of the candidate is computed instead (same cost).
    dummy_hash: Option<String>,
    /// Argon2 working memory of the current parameters' size, reused across hashes.
    scratch: Scratch,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("m_kib", &self.inner.params.m_cost())
            .field("t", &self.inner.params.t_cost())
            .field("p", &self.inner.params.p_cost())
            .field("max_waiting", &self.inner.max_waiting)
            .finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// A hasher with OWASP's Argon2id parameters (m = 19456 KiB, t = 2, p = 1), running at most
    /// `max_concurrent` hashes at once (at least 1) with at most `max_waiting` callers queued.
    ///
    /// Computes one hash (the dummy for unknown accounts, tens of milliseconds), so build it once
    /// at start-up.
    pub fn new(max_concurrent: usize, max_waiting: usize) -> Self {
        Self::build(Params::DEFAULT, max_concurrent, max_waiting)
    }

    /// A hasher with explicit Argon2id parameters (memory in KiB, iterations, parallelism):
    /// tiny ones make tests fast, bigger ones harden production. Fails with
    /// [`CryptoError::Hash`] when Argon2 refuses the parameters.
    pub fn with_params(
        m_kib: u32,
        t: u32,
        p: u32,
        max_concurrent: usize,
        max_waiting: usize,
    ) -> Result<Self, CryptoError> {
        let params = Params::new(m_kib, t, p, None).map_err(|_| CryptoError::Hash)?;
        Ok(Self::build(params, max_concurrent, max_waiting))
    }

    fn build(params: Params, max_concurrent: usize, max_waiting: usize) -> Self {
        let mut random = [0u8; 32];
        rand::rng().fill_bytes(&mut random);
        let scratch = Scratch::new(&params);
        let dummy_hash = hash_blocking(&params, &scratch, &random).ok();
        let permits = max_concurrent.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            inner: Arc::new(Inner {
                params,
                semaphore: Arc::new(Semaphore::new(permits)),
                waiting: AtomicUsize::new(0),
                max_waiting,
                dummy_hash,
                scratch,
            }),
        }
    }

    /// Hashes `password` with a fresh random salt into a PHC string
    /// (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub async fn hash(&self, password: &Password) -> Result<String, CryptoError> {
        let permit = self.admit().await?;
        let inner = Arc::clone(&self.inner);
        let password = password.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            hash_blocking(&inner.params, &inner.scratch, password.expose().as_bytes())
        })
        .await
        .map_err(|_| CryptoError::Hash)?
    }

    /// Verifies `password` against `stored`, the account's PHC string, or `None` for an unknown
    /// account: then a dummy hash with the current parameters is verified instead, so both cost
    /// the same, and the answer is `ok: false`. A malformed stored hash also gives `ok: false`
    /// (with a warning that does not include the hash).
    pub async fn verify(
        &self,
        password: &Password,
        stored: Option<&str>,
    ) -> Result<Verification, CryptoError> {
        let permit = self.admit().await?;
        let inner = Arc::clone(&self.inner);
        let password = password.clone();
        let stored = stored.map(str::to_owned);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            inner.verify_blocking(password.expose().as_bytes(), stored.as_deref())
        })
        .await
        .map_err(|_| CryptoError::Hash)
    }

    /// Waits for a hashing slot, or refuses at once when `max_waiting` callers already wait.
    /// The permit is moved into the blocking task, so a cancelled caller keeps its slot until
    /// the work really ends.
    async fn admit(&self) -> Result<OwnedSemaphorePermit, CryptoError> {
        let semaphore = Arc::clone(&self.inner.semaphore);
        match Arc::clone(&semaphore).try_acquire_owned() {
            Ok(permit) => return Ok(permit),
            Err(TryAcquireError::Closed) => return Err(CryptoError::Busy),
            Err(TryAcquireError::NoPermits) => {}
        }
        let already_waiting = self.inner.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = WaitingGuard(&self.inner.waiting);
        if already_waiting >= self.inner.max_waiting {
            tracing::warn!(
                waiting = already_waiting,
                "password hashing saturated, refusing"
            );
            return Err(CryptoError::Busy);
        }
        semaphore
            .acquire_owned()
            .await
            .map_err(|_| CryptoError::Busy)
    }
}

impl Inner {
    fn verify_blocking(&self, password: &[u8], stored: Option<&str>) -> Verification {
        let refused = Verification {
            ok: false,
            needs_rehash: false,
        };
        let Some(stored) = stored else {
            self.verify_dummy(password);
            return refused;
        };
        let Ok(hash) = PasswordHash::new(stored) else {
            tracing::warn!("stored password hash is malformed");
            self.verify_dummy(password);
            return refused;
        };
        match verify_with(&self.scratch, password, &hash) {
            Ok(true) => Verification {
                ok: true,
                needs_rehash: !self.is_current(&hash),
            },
            Ok(false) => refused,
            Err(e) => {
                tracing::warn!(error = %e, "stored password hash cannot be verified");
                self.verify_dummy(password);
                refused
            }
        }
    }

    /// Spends the time of a real verification; the result is ignored.
    fn verify_dummy(&self, password: &[u8]) {
        match self.dummy_hash.as_deref().map(PasswordHash::new) {
            Some(Ok(hash)) => {
                let _ = verify_with(&self.scratch, password, &hash);
            }
            _ => {
                let _ = hash_blocking(&self.params, &self.scratch, password);
            }
        }
    }

    /// Whether `hash` was made with the current algorithm, version and parameters.
    fn is_current(&self, hash: &PasswordHash) -> bool {
        let Ok(params) = Params::try_from(hash) else {
            return false;
        };
        let output_len = self
            .params
            .output_len()
            .unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        hash.algorithm == ARGON2ID_IDENT
            && hash.version == Some(Version::V0x13.into())
            && params.m_cost() == self.params.m_cost()
            && params.t_cost() == self.params.t_cost()
            && params.p_cost() == self.params.p_cost()
            && params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN) == output_len
    }
}

fn hash_blocking(
    params: &Params,
    scratch: &Scratch,
    password: &[u8],
) -> Result<String, CryptoError> {
    let mut salt = [0u8; SALT_LEN];
    rand::rng().fill_bytes(&mut salt);
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    let built = scratch
        .run(params, |memory| {
            argon2.hash_password_into_with_memory(password, &salt, &mut out, memory)
        })
        .and_then(|r| r.map_err(|e| e.to_string()))
        .and_then(|()| {
            let salt = Salt::new(&salt).map_err(|e| e.to_string())?;
            Ok(PasswordHash {
                algorithm: ARGON2ID_IDENT,
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(params).map_err(|e| e.to_string())?,
                salt: Some(salt),
                hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
            }
            .to_string())
        });
    out.zeroize();
    built.map_err(|e| {
        tracing::error!(error = %e, "argon2 hashing failed");
        CryptoError::Hash
    })
}

/// Recomputes `hash` (whatever parameters it was made with) for `password` and compares the
/// outputs in constant time (`Output`'s equality).
fn verify_with(scratch: &Scratch, password: &[u8], hash: &PasswordHash) -> Result<bool, String> {
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return Err("no salt or no hash".into());
    };
    let algorithm = Algorithm::try_from(hash.algorithm.as_str()).map_err(|e| e.to_string())?;
    let version = match hash.version {
        Some(v) => Version::try_from(v).map_err(|e| e.to_string())?,
        None => Version::default(),
    };
    let mut params = Params::try_from(hash).map_err(|e| e.to_string())?;
    if params.output_len().is_none() {
        params = Params::new(
            params.m_cost(),
            params.t_cost(),
            params.p_cost(),
            Some(expected.len()),
        )
        .map_err(|e| e.to_string())?;
    }
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let computed = scratch
        .run(&params, |memory| {
            argon2.hash_password_into_with_memory(password, salt.as_ref(), &mut out, memory)
        })
        .and_then(|r| r.map_err(|e| e.to_string()))
        .and_then(|()| Output::new(&out).map_err(|e| e.to_string()));
    out.zeroize();
    Ok(&computed? == expected)
}

/// Argon2 working memory kept for reuse: buffers of the current parameters' size, at most one
/// per concurrent hash (the semaphore bounds them). A hash made with other parameters gets a
/// buffer of its own, wiped and freed after use.
struct Scratch {
    blocks: usize,
    kept: Mutex<Vec<Vec<Block>>>,
}

impl Scratch {
    fn new(params: &Params) -> Self {
        Self {
            blocks: params.block_count(),
            kept: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` on working memory for `params`; fails only when that memory cannot be had
    /// (a stored hash with an absurd memory cost must not abort the process).
    fn run<R>(&self, params: &Params, f: impl FnOnce(&mut [Block]) -> R) -> Result<R, String> {
        let blocks = params.block_count();
        let pooled = blocks == self.blocks;
        let reused = if pooled {
            self.kept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .pop()
        } else {
            None
        };
        let mut memory = match reused {
            Some(m) => m,
            None => {
                let mut m = Vec::new();
                m.try_reserve_exact(blocks)
                    .map_err(|_| format!("no memory for {blocks} argon2 blocks"))?;
                m.resize(blocks, Block::default());
                m
            }
        };
        let result = f(&mut memory);
        // What is left is derived from the password: wipe it before it is kept or freed.
        memory.iter_mut().for_each(Zeroize::zeroize);
        if pooled {
            self.kept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(memory);
        }
        Ok(result)
    }
}

/// Counts a caller as waiting until dropped (also when its future is cancelled).
struct WaitingGuard<'a>(&'a AtomicUsize);

impl Drop for WaitingGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use argon2::{PasswordHasher as _, PasswordVerifier as _};

    use super::*;

    fn tiny(m_kib: u32) -> PasswordHasher {
        PasswordHasher::with_params(m_kib, 1, 1, 2, 8).expect("valid params")
    }

    fn pw(s: &str) -> Password {
        Password::parse(s).expect("valid password")
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let hasher = tiny(8);
        let stored = hasher.hash(&pw("correct horse")).await.expect("hash");
        assert!(
            stored.starts_with("$argon2id$v=19$m=8,t=1,p=1$"),
            "{stored}"
        );
        let good = hasher
            .verify(&pw("correct horse"), Some(&stored))
            .await
            .expect("verify");
        assert_eq!(
            good,
            Verification {
                ok: true,
                needs_rehash: false
            }
        );
        let bad = hasher
            .verify(&pw("wrong horse!"), Some(&stored))
            .await
            .expect("verify");
        assert!(!bad.ok && !bad.needs_rehash);
    }

    #[tokio::test]
    async fn salts_differ() {
        let hasher = tiny(8);
        let a = hasher.hash(&pw("same password")).await.expect("hash");
        let b = hasher.hash(&pw("same password")).await.expect("hash");
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn default_params_are_owasp_argon2id() {
        let hasher = PasswordHasher::new(1, 1);
        let stored = hasher.hash(&pw("correct horse")).await.expect("hash");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(
            hasher
                .inner
                .dummy_hash
                .as_deref()
                .is_some_and(|d| d.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"))
        );
    }

    #[tokio::test]
    async fn unknown_account_and_malformed_hash_are_refused() {
        let hasher = tiny(8);
        let none = hasher.verify(&pw("anything1"), None).await.expect("verify");
        assert!(!none.ok && !none.needs_rehash);
        for stored in ["", "not a hash", "$argon2id$v=19$m=8,t=1,p=1$", "$md5$abc"] {
            let v = hasher
                .verify(&pw("anything1"), Some(stored))
                .await
                .expect("verify");
            assert!(!v.ok && !v.needs_rehash, "{stored:?}");
        }
    }

    #[tokio::test]
    async fn needs_rehash_detects_other_params() {
        let old = tiny(8);
        let current = tiny(16);
        let stored = old.hash(&pw("correct horse")).await.expect("hash");
        let v = current
            .verify(&pw("correct horse"), Some(&stored))
            .await
            .expect("verify");
        assert_eq!(
            v,
            Verification {
                ok: true,
                needs_rehash: true
            }
        );
        // Other iterations, other algorithm.
        let other_t = PasswordHasher::with_params(16, 2, 1, 1, 1).expect("hasher");
        let stored_t = other_t.hash(&pw("correct horse")).await.expect("hash");
        assert!(
            current
                .verify(&pw("correct horse"), Some(&stored_t))
                .await
                .expect("verify")
                .needs_rehash
        );
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(16, 1, 1, None).expect("params"),
        )
        .hash_password_with_salt(b"correct horse", &[1u8; 16])
        .expect("hash")
        .to_string();
        let v = current
            .verify(&pw("correct horse"), Some(&argon2i))
            .await
            .expect("verify");
        assert!(v.ok && v.needs_rehash);
        // A wrong password never asks for a rehash.
        let v = current
            .verify(&pw("wrong horse!"), Some(&stored))
            .await
            .expect("verify");
        assert!(!v.ok && !v.needs_rehash);
    }

    #[tokio::test]
    async fn refuses_when_the_queue_is_full() {
        let hasher = PasswordHasher::with_params(8, 1, 1, 1, 1).expect("hasher");
        // Hold the only slot.
        let held = Arc::clone(&hasher.inner.semaphore)
            .acquire_owned()
            .await
            .expect("permit");
        // One caller may wait…
        let waiter = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.hash(&pw("correct horse")).await })
        };
        while hasher.inner.waiting.load(Ordering::SeqCst) < 1 {
            tokio::task::yield_now().await;
        }
        // …the next is refused at once.
        assert_eq!(
            hasher.hash(&pw("correct horse")).await,
            Err(CryptoError::Busy)
        );
        assert_eq!(
            hasher.verify(&pw("correct horse"), None).await,
            Err(CryptoError::Busy)
        );
        drop(held);
        let stored = waiter.await.expect("join").expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert_eq!(hasher.inner.waiting.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn cancelled_waiter_leaves_the_queue() {
        let hasher = PasswordHasher::with_params(8, 1, 1, 1, 1).expect("hasher");
        let held = Arc::clone(&hasher.inner.semaphore)
            .acquire_owned()
            .await
            .expect("permit");
        let waiter = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.hash(&pw("correct horse")).await })
        };
        while hasher.inner.waiting.load(Ordering::SeqCst) < 1 {
            tokio::task::yield_now().await;
        }
        waiter.abort();
        let _ = waiter.await;
        assert_eq!(hasher.inner.waiting.load(Ordering::SeqCst), 0);
        drop(held);
        assert!(hasher.hash(&pw("correct horse")).await.is_ok());
    }

    #[test]
    fn debug_shows_no_hash() {
        let hasher = tiny(8);
        assert!(!format!("{hasher:?}").contains('$'));
    }

    /// Hashes made with reused memory are the argon2 crate's own hashes: each verifies the
    /// other's, and a reused buffer (second round) gives the same answers as a fresh one.
    #[tokio::test]
    async fn reused_memory_agrees_with_the_argon2_crate() {
        let hasher = tiny(64);
        let params = Params::new(64, 1, 1, None).expect("params");
        let upstream = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_with_salt(b"correct horse", &[7u8; 16])
            .expect("hash")
            .to_string();
        for _ in 0..2 {
            let ours = hasher.hash(&pw("correct horse")).await.expect("hash");
            let parsed = PasswordHash::new(&ours).expect("a PHC string");
            assert!(
                Argon2::default()
                    .verify_password(b"correct horse", &parsed)
                    .is_ok()
            );
            assert!(
                Argon2::default()
                    .verify_password(b"wrong horse", &parsed)
                    .is_err()
            );
            let ok = hasher.verify(&pw("correct horse"), Some(&upstream)).await;
            assert!(ok.expect("verify").ok);
            let bad = hasher.verify(&pw("wrong horse"), Some(&upstream)).await;
            assert!(!bad.expect("verify").ok);
        }
        // A hash with other parameters verifies, and its memory is not kept.
        let older = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(128, 1, 1, None).expect("params"),
        )
        .hash_password_with_salt(b"correct horse", &[7u8; 16])
        .expect("hash")
        .to_string();
        let ok = hasher.verify(&pw("correct horse"), Some(&older)).await;
        assert!(ok.expect("verify").ok);
        let kept = hasher.inner.scratch.kept.lock().expect("lock");
        assert!(
            kept.iter().all(|m| m.len() == hasher.inner.scratch.blocks),
            "only buffers of the current size are kept"
        );
        assert!(
            kept.len() <= 2,
            "one buffer per slot at most: {}",
            kept.len()
        );
        assert!(
            kept.iter()
                .flatten()
                .all(|b| b.as_ref().iter().all(|x| *x == 0)),
            "kept memory is wiped"
        );
    }
}
