//! Form controls that show their own validation message and keep what was typed.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::{AppError, FormErrors};
use crate::i18n::{Key, t, use_language};

/// The id of a control: from its field key, safe in an HTML id.
fn control_id(prefix: &str, field: &str) -> String {
    let cleaned: String = field
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{prefix}-{cleaned}")
}

/// What was typed into `field` before a refused post, else `default`.
fn kept_value(errors: &Option<FormErrors>, field: &str, default: String) -> String {
    errors
        .as_ref()
        .and_then(|errors| errors.value(field))
        .map(ToOwned::to_owned)
        .unwrap_or(default)
}

/// The id of the text describing a control: its error if any, else its help.
fn described_by(id: &str, has_error: bool, help: Option<Key>) -> Option<String> {
    match (has_error, help) {
        (true, _) => Some(format!("{id}-error")),
        (false, Some(_)) => Some(format!("{id}-help")),
        (false, None) => None,
    }
}

fn field_error(errors: &Option<FormErrors>, name: &str) -> Option<String> {
    let language = use_language();
    errors
        .as_ref()
        .and_then(|errors| errors.for_field(name))
        .map(|error| {
            let message = error.message.text(language);
            match &error.detail {
                Some(detail) => format!("{message} {detail}"),
                None => message.to_owned(),
            }
        })
}

/// A labelled input; its error (if any) is announced with it.
#[component]
pub fn TextField(
    /// The form field's name as posted.
    #[prop(into)]
    name: String,
    /// The key errors and kept values use, when it differs from `name`.
    #[prop(optional, into)]
    field: Option<String>,
    label: Key,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] value: String,
    #[prop(default = None)] errors: Option<FormErrors>,
    #[prop(optional)] help: Option<Key>,
    #[prop(optional)] required: bool,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] autofocus: bool,
    /// Distinguishes ids when two forms of a page share a field name.
    #[prop(into, default = "field".to_owned())]
    id_prefix: String,
) -> impl IntoView {
    let field = field.unwrap_or_else(|| name.clone());
    let id = control_id(&id_prefix, &field);
    let error = field_error(&errors, &field);
    let invalid = error.is_some();
    // A password is never sent back into the page.
    let value = if input_type == "password" {
        String::new()
    } else {
        kept_value(&errors, &field, value)
    };
    let described_by = described_by(&id, invalid, help);
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id.clone()>{t(label)}</label>
            <input
                id=id.clone()
                name=name
                type=input_type
                value=value
                required=required
                autocomplete=autocomplete
                autofocus=autofocus
                aria-invalid=error.as_ref().map(|_| "true")
                aria-describedby=described_by
            />
            {help.map(|help| view! { <p class="field-help" id=format!("{id}-help")>{t(help)}</p> })}
            {error.map(|message| view! { <p class="field-error" id=format!("{id}-error")>{message}</p> })}
        </div>
    }
}

/// A labelled select; `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    #[prop(into)] name: String,
    #[prop(optional, into)] field: Option<String>,
    label: Key,
    options: Vec<(String, String)>,
    #[prop(optional)] selected: String,
    #[prop(default = None)] errors: Option<FormErrors>,
    #[prop(optional)] help: Option<Key>,
    /// Distinguishes ids when two forms of a page share a field name.
    #[prop(into, default = "field".to_owned())]
    id_prefix: String,
) -> impl IntoView {
    let field = field.unwrap_or_else(|| name.clone());
    let id = control_id(&id_prefix, &field);
    let error = field_error(&errors, &field);
    let invalid = error.is_some();
    let selected = kept_value(&errors, &field, selected);
    let described_by = described_by(&id, invalid, help);
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id.clone()>{t(label)}</label>
            <select
                id=id.clone()
                name=name
                aria-invalid=error.as_ref().map(|_| "true")
                aria-describedby=described_by
            >
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is_selected = value == selected;
                        view! { <option value=value selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            {help.map(|help| view! { <p class="field-help" id=format!("{id}-help")>{t(help)}</p> })}
            {error.map(|message| view! { <p class="field-error" id=format!("{id}-error")>{message}</p> })}
        </div>
    }
}

/// The message of an error that is not about one field.
#[component]
pub fn ErrorBanner(error: Option<AppError>) -> impl IntoView {
    let language = use_language();
    error.map(|error| {
        let mut text = error.message_key().text(language).to_owned();
        if let AppError::LockedOut { retry_after_secs } = &error {
            let (amount, unit) = if *retry_after_secs >= 120 {
                (retry_after_secs.div_ceil(60), Key::Minutes)
            } else {
                (*retry_after_secs, Key::Seconds)
            };
            text = format!("{text} {amount} {}.", unit.text(language));
        }
        view! {
            <div class="banner banner-error" role="alert">
                {text}
            </div>
        }
    })
}

/// A confirmation shown after a successful action — unless the page is where a
/// later, refused form was sent back to: its URL still carries the earlier
/// `done=…`, and "saved" above a refusal would say the opposite of what happened.
#[component]
pub fn Notice(message: Option<Key>) -> impl IntoView {
    let refused = use_context::<leptos::server::ServerActionError>().is_some();
    message.filter(|_| !refused).map(|message| {
        view! {
            <div class="banner banner-ok" role="status">
                {t(message)}
            </div>
        }
    })
}

/// A labelled multi-line text field.
#[component]
pub fn TextArea(
    #[prop(into)] name: String,
    #[prop(optional, into)] field: Option<String>,
    label: Key,
    #[prop(optional)] value: String,
    #[prop(default = None)] errors: Option<FormErrors>,
    #[prop(optional)] help: Option<Key>,
    #[prop(optional)] required: bool,
    #[prop(default = 4)] rows: u32,
) -> impl IntoView {
    let field = field.unwrap_or_else(|| name.clone());
    let id = control_id("field", &field);
    let error = field_error(&errors, &field);
    let invalid = error.is_some();
    let value = kept_value(&errors, &field, value);
    let described_by = described_by(&id, invalid, help);
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id.clone()>{t(label)}</label>
            <textarea id=id.clone() name=name rows=rows required=required
                aria-invalid=invalid.then_some("true") aria-describedby=described_by>{value}</textarea>
            {help.map(|help| view! { <p class="field-help" id=format!("{id}-help")>{t(help)}</p> })}
            {error.map(|message| view! { <p class="field-error" id=format!("{id}-error")>{message}</p> })}
        </div>
    }
}

/// The error the last submission to server function `S` came back with, when this
/// page is where a browser without JavaScript was sent back to: leptos_axum adds the
/// error (`__err`) and the function's path (`__path`) to the form's page.
///
/// Read straight from the request. A `ServerAction` per form would build a reactive
/// action (a dozen signals and an owner) that nothing on a page without WASM ever
/// dispatches: on the ticket page, with its eight forms, that was a tenth of the
/// server's CPU. Forms are plain `<form action=S::PATH method="post">` for the same
/// reason — the markup `ActionForm` renders.
pub fn submission_error<S>() -> Option<AppError>
where
    S: ServerFn<Error = AppError>,
{
    let error = use_context::<leptos::server::ServerActionError>()?;
    (error.path() == S::PATH)
        .then(|| leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(error.err()))
}
