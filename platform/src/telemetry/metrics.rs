//! Prometheus metrics: requests by operation and status, latency histograms, tenants, mail.

use std::{sync::Arc, time::Duration};

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The platform's metric families, registered in their own registry.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    tenants: IntGauge,
    mail: IntCounterVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// Creates and registers the metric families.
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by operation and status",
            ),
            &["operation", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ],
            ),
            &["operation"],
        )?;
        let tenants = IntGauge::new("platform_tenants", "Tenants provisioned")?;
        let mail = IntCounterVec::new(
            Opts::new(
                "mail_deliveries_total",
                "Outbox delivery attempts by outcome",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(tenants.clone()))?;
        registry.register(Box::new(mail.clone()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                registry,
                requests,
                latency,
                tenants,
                mail,
            }),
        })
    }

    /// Records one served request.
    pub fn observe_request(&self, operation: &str, status: u16, elapsed: Duration) {
        self.inner
            .requests
            .with_label_values(&[operation, &status.to_string()])
            .inc();
        self.inner
            .latency
            .with_label_values(&[operation])
            .observe(elapsed.as_secs_f64());
    }

    /// Records a mail delivery attempt: `sent`, `retry` or `dead`.
    pub fn observe_mail(&self, outcome: &str) {
        self.inner.mail.with_label_values(&[outcome]).inc();
    }

    /// Sets the number of tenants.
    pub fn set_tenants(&self, n: usize) {
        self.inner.tenants.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.inner.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "encoding metrics");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}
