//! The accept loop of the server (issue 18, H1, H2, L9): hyper's http1 connections with a
//! header-read timeout and a bounded header buffer, an idle timeout on every socket, a cap on
//! open connections (a semaphore taken before `accept`, so sockets beyond it wait in the kernel
//! backlog and cost no descriptor), TLS when configured, and the peer address handed to the
//! routes as [`ConnectInfo`].

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use super::problem::ApiProblem;
use super::tls::Tls;

/// Smallest read buffer hyper accepts.
const HYPER_MIN_BUFFER: usize = 8192;

/// Longest wait for the connections still open after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Pause after a failed `accept` (descriptors exhausted…), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The connection limits of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest wait for a complete request head, from the moment the connection waits for one
    /// (a new connection, or a kept-alive one after an answer): cuts slowloris and idle sockets.
    pub header_read_timeout: Duration,
    /// Longest time without a byte read or written on a socket (a stalled body or a client
    /// that stops reading an answer).
    pub idle_timeout: Duration,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// Largest request head (request line and headers); larger gets a 431 problem.
    pub max_header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 512,
            max_header_bytes: 16 * 1024,
        }
    }
}

/// How the server listens: its limits, and TLS when it terminates it itself.
#[derive(Debug, Clone, Default)]
pub struct ListenOptions {
    /// Timeouts, connection cap, header size.
    pub limits: Limits,
    /// The certificate; `None` serves plain HTTP.
    pub tls: Option<Arc<Tls>>,
}

/// Serves `router` on `listener` until `shutdown` completes, then waits (at most
/// [`SHUTDOWN_GRACE`]) for the requests in progress.
pub(super) async fn serve(
    listener: TcpListener,
    router: Router,
    options: ListenOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let limits = options.limits;
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size((limits.max_header_bytes * 2).max(HYPER_MIN_BUFFER));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "connexion refusée à l'acceptation");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let stream = Idle::new(stream, limits.idle_timeout);
        let service = service(router.clone(), peer, limits.max_header_bytes);
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let tls = options.tls.as_ref().map(|tls| tls.acceptor());
        tokio::spawn(async move {
            let _permit = permit;
            let served = match tls {
                None => {
                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                    watcher.watch(connection).await
                }
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(limits.header_read_timeout, acceptor.accept(stream));
                    match handshake.await {
                        Ok(Ok(stream)) => {
                            let connection =
                                builder.serve_connection(TokioIo::new(stream), service);
                            watcher.watch(connection).await
                        }
                        Ok(Err(error)) => {
                            tracing::debug!(%peer, %error, "négociation TLS échouée");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "négociation TLS trop lente : connexion fermée");
                            return;
                        }
                    }
                }
            };
            if let Err(error) = served {
                tracing::debug!(%peer, %error, "connexion fermée");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("arrêt : des connexions restaient ouvertes après 30 secondes");
    }
}

/// The hyper service of one connection: the peer address put in the request, a request head
/// larger than `max_header_bytes` answered 431, the rest given to the router.
fn service(
    router: Router,
    peer: SocketAddr,
    max_header_bytes: usize,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send,
> + Clone {
    hyper::service::service_fn(move |mut request: Request<Incoming>| {
        let router = router.clone();
        async move {
            if head_size(&request) > max_header_bytes {
                return Ok(header_too_large(max_header_bytes));
            }
            request.extensions_mut().insert(ConnectInfo(peer));
            router.oneshot(request).await
        }
    })
}

/// The size of a request head: target, header names and values, and their separators.
fn head_size<B>(request: &Request<B>) -> usize {
    let target = request.uri().to_string().len();
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    target + headers
}

/// 431 with a French problem body and the security headers.
fn header_too_large(max_header_bytes: usize) -> axum::response::Response {
    let mut response = ApiProblem::new(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "En-têtes trop volumineux",
        Some(format!(
            "l'adresse et les en-têtes de la requête dépassent {} Kio",
            max_header_bytes / 1024
        )),
    )
    .into_response();
    super::hardening::add(
        response.headers_mut(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
    );
    response
}

/// A socket closed after `timeout` without a byte read or written.
struct Idle<S> {
    inner: S,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl<S> Idle<S> {
    fn new(inner: S, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            deadline: Box::pin(tokio::time::sleep(timeout)),
        }
    }

    /// Some bytes moved: the deadline starts again.
    fn touch(&mut self) {
        let next = Instant::now() + self.timeout;
        self.deadline.as_mut().reset(next);
    }

    /// An error once the deadline passed, else pending (woken at the deadline).
    fn expired<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connexion inactive trop longtemps",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Idle<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(read) => {
                if buf.filled().len() > before {
                    this.touch();
                }
                Poll::Ready(read)
            }
            Poll::Pending => this.expired(cx),
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Idle<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(written) => {
                if matches!(written, Ok(n) if n > 0) {
                    this.touch();
                }
                Poll::Ready(written)
            }
            Poll::Pending => this.expired(cx),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
