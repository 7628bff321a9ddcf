//! Slow clients: every accepted connection gets a read timeout, so one that stops sending
//! (headers never finished, a body trickled, an idle keep-alive) is closed after
//! `header_timeout_secs` instead of holding a connection and its task forever.

use std::{pin::Pin, time::Duration};

use poem::{
    listener::Acceptor,
    web::{LocalAddr, RemoteAddr},
};
use tokio_io_timeout::TimeoutStream;

/// Wraps an acceptor's connections in a read timeout.
pub struct ReadTimeout<A> {
    pub inner: A,
    pub timeout: Duration,
}

impl<A: Acceptor> Acceptor for ReadTimeout<A> {
    type Io = Pin<Box<TimeoutStream<A::Io>>>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(
        &mut self,
    ) -> std::io::Result<(Self::Io, LocalAddr, RemoteAddr, poem::http::uri::Scheme)> {
        let (io, local, remote, scheme) = self.inner.accept().await?;
        let mut io = TimeoutStream::new(io);
        io.set_read_timeout(Some(self.timeout));
        Ok((Box::pin(io), local, remote, scheme))
    }
}
