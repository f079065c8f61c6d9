//! Static files, embedded in the binary so it runs anywhere and needs no CDN.

use axum::http::header;
use axum::response::IntoResponse;

const STYLESHEET: &str = include_str!("../../style/tcrm.css");
const FAVICON: &str = include_str!("../../public/favicon.svg");
const CHARTS: &str = include_str!("../../public/charts.js");
/// ECharts 5.6.0 (Apache-2.0, see public/vendor/ECHARTS-LICENSE.txt), served locally: no CDN.
const ECHARTS: &str = include_str!("../../public/vendor/echarts-5.6.0.min.js");

fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
}

pub async fn charts() -> impl IntoResponse {
    script(CHARTS)
}

pub async fn echarts() -> impl IntoResponse {
    script(ECHARTS)
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        STYLESHEET,
    )
}

pub async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
}
