//! The partner API's reference, rendered on the server from the OpenAPI document
//! the binary generates (`/apiv2/openapi.json`): no UI bundle, no CDN.

use leptos::prelude::*;
use serde_json::Value;

use crate::components::Layout;
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::or_error_banner;
use crate::request::{app_state, require_user};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// `#/components/schemas/Name` → the schema, or the schema itself when inline.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> (&'a Value, Option<String>) {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default().to_owned();
            (
                &document["components"]["schemas"][name.as_str()],
                Some(name),
            )
        }
        None => (schema, None),
    }
}

/// A short type label: `string`, `integer | null`, `array of QuotaMember`, …
fn type_label(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or_default().to_owned();
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        return options
            .iter()
            .map(type_label)
            .collect::<Vec<_>>()
            .join(" | ");
    }
    match &schema["type"] {
        Value::String(kind) if kind == "array" => {
            format!("array of {}", type_label(&schema["items"]))
        }
        Value::String(kind) => kind.clone(),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "object".to_owned(),
    }
}

fn schema_table(document: &Value, schema: &Value) -> AnyView {
    let (schema, _) = resolve(document, schema);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema["properties"].as_object() else {
        return ().into_any();
    };
    let rows = properties
        .iter()
        .map(|(name, property)| {
            let description = property["description"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let is_required = required.contains(&name.as_str());
            view! {
                <tr>
                    <td><code>{name.clone()}</code></td>
                    <td>{type_label(property)}</td>
                    <td>{if is_required { t(Key::Yes) } else { "" }}</td>
                    <td>{description}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table compact">
                <thead>
                    <tr>
                        <th scope="col">{t(Key::ApiField)}</th>
                        <th scope="col">{t(Key::ApiType)}</th>
                        <th scope="col">{t(Key::ApiRequired)}</th>
                        <th scope="col">{t(Key::ApiDescription)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn operation(document: &Value, method: &str, path: &str, op: &Value) -> impl IntoView + use<> {
    let anchor = format!(
        "{method}-{}",
        path.trim_matches('/').replace(['/', '{', '}'], "-")
    );
    let summary = op["summary"].as_str().unwrap_or_default().to_owned();
    let description = op["description"].as_str().unwrap_or_default().to_owned();
    let parameters = op["parameters"].as_array().cloned().unwrap_or_default();
    let parameter_rows = parameters
        .iter()
        .map(|parameter| {
            view! {
                <tr>
                    <td><code>{parameter["name"].as_str().unwrap_or_default().to_owned()}</code></td>
                    <td>{parameter["in"].as_str().unwrap_or_default().to_owned()}</td>
                    <td>{if parameter["required"].as_bool() == Some(true) { t(Key::Yes) } else { "" }}</td>
                    <td>{parameter["description"].as_str().unwrap_or_default().to_owned()}</td>
                </tr>
            }
        })
        .collect_view();
    let parameters_view = (!parameters.is_empty()).then(|| {
        view! {
            <h4>{t(Key::ApiParameters)}</h4>
            <div class="table-wrap">
                <table class="table compact">
                    <thead>
                        <tr>
                            <th scope="col">{t(Key::ApiField)}</th>
                            <th scope="col">{t(Key::ApiIn)}</th>
                            <th scope="col">{t(Key::ApiRequired)}</th>
                            <th scope="col">{t(Key::ApiDescription)}</th>
                        </tr>
                    </thead>
                    <tbody>{parameter_rows}</tbody>
                </table>
            </div>
        }
    });
    let body = op["requestBody"]["content"].as_object().map(|content| {
        let types = content.keys().cloned().collect::<Vec<_>>().join(", ");
        let schema = content
            .values()
            .next()
            .map(|media| schema_table(document, &media["schema"]));
        view! {
            <h4>{t(Key::ApiRequestBody)} " (" {types} ")"</h4>
            {schema}
        }
    });
    let responses = op["responses"].as_object().map(|responses| {
        responses
            .iter()
            .map(|(status, response)| {
                let schema = response["content"]["application/json"]["schema"].clone();
                let name = resolve(document, &schema).1.unwrap_or_default();
                view! {
                    <tr>
                        <td class="num"><code>{status.clone()}</code></td>
                        <td>{response["description"].as_str().unwrap_or_default().to_owned()}</td>
                        <td>{name}</td>
                    </tr>
                }
            })
            .collect_view()
    });
    let success_schema = op["responses"]["200"]["content"]["application/json"]["schema"].clone();
    let success = (!success_schema.is_null()).then(|| {
        view! {
            <h4>{t(Key::ApiSuccessBody)}</h4>
            {schema_table(document, &success_schema)}
        }
    });
    view! {
        <section class="panel api-operation" id=anchor.clone() aria-labelledby=format!("{anchor}-title")>
            <h3 id=format!("{anchor}-title")>
                <span class=format!("method method-{method}")>{method.to_uppercase()}</span>
                " "
                <code>{path.to_owned()}</code>
            </h3>
            <p><strong>{summary}</strong></p>
            <p>{description}</p>
            {parameters_view}
            {body}
            <h4>{t(Key::ApiResponses)}</h4>
            <div class="table-wrap">
                <table class="table compact">
                    <thead>
                        <tr>
                            <th scope="col">{t(Key::ApiStatus)}</th>
                            <th scope="col">{t(Key::ApiDescription)}</th>
                            <th scope="col">{t(Key::ApiType)}</th>
                        </tr>
                    </thead>
                    <tbody>{responses}</tbody>
                </table>
            </div>
            {success}
        </section>
    }
}

async fn api_docs_content() -> Result<AnyView, AppError> {
    require_user()?;
    let document = app_state()?.api_document.clone();
    let info = document["info"]["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let version = document["info"]["version"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut toc = Vec::new();
    let mut operations = Vec::new();
    if let Some(paths) = document["paths"].as_object() {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    let anchor = format!(
                        "{method}-{}",
                        path.trim_matches('/').replace(['/', '{', '}'], "-")
                    );
                    toc.push(view! {
                        <li>
                            <a href=format!("#{anchor}")>
                                <span class=format!("method method-{method}")>{method.to_uppercase()}</span>
                                " " <code>{path.clone()}</code>
                            </a>
                        </li>
                    });
                    operations.push(operation(&document, method, path, op));
                }
            }
        }
    }
    Ok(view! {
        <section class="panel">
            <p>{info}</p>
            <p>
                {t(Key::ApiVersion)} " " {version} " · "
                <a href="/apiv2/openapi.json">{t(Key::ApiDownloadDocument)}</a>
            </p>
            <h2>{t(Key::ApiEndpoints)}</h2>
            <ul class="api-toc">{toc}</ul>
        </section>
        {operations}
    }
    .into_any())
}

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let content = Suspend::new(async move { or_error_banner(api_docs_content().await) });
    view! {
        {page_title(Key::ApiDocsTitle)}
        <Layout current="/reference">
            <h1>{t(Key::ApiDocsTitle)}</h1>
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
}
