//! DNS rebinding guard of a server bound to loopback (review M5): only loopback host names.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Middleware of a server bound to loopback: a `Host` other than `localhost`, `127.0.0.1` or
/// `[::1]` (any port) is refused with a 421 problem, so a web page whose name was rebound to
/// 127.0.0.1 cannot read the local server.
pub async fn loopback_host(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .map(|value| value.to_str().unwrap_or("?"));
    if let Some(host) = host
        && !is_loopback_name(host)
    {
        return super::problem::ApiProblem::new(
            StatusCode::MISDIRECTED_REQUEST,
            "Nom d'hôte refusé",
            Some(
                "ce serveur local ne répond qu'aux adresses localhost, 127.0.0.1 ou [::1]"
                    .to_owned(),
            ),
        )
        .into_response();
    }
    next.run(request).await
}

/// Whether a `Host` header names the loopback interface.
fn is_loopback_name(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(rest, |(name, _)| name),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
