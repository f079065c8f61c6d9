//! The SLA table: hours allowed per request type and priority, which set a new
//! ticket's due date when none is given. Everyone reads it; HQ admins edit it.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::auth::{Permission, authorize};
use crate::components::{ErrorBanner, Layout, Notice, submission_error};
use crate::error::{AppError, FormErrors};
use crate::i18n::{Key, t, use_language};
use crate::page_title;
use crate::pages::query_param;
use crate::request::{app_state, require_user};
use crate::store::reference::LookupTable;

/// Saves the whole table; every cell must be a whole number of hours, 1–8760.
#[server(endpoint = "sla/save")]
pub async fn save_sla(#[server(default)] hours: HashMap<String, String>) -> Result<(), AppError> {
    let actor = require_user()?;
    authorize(&actor, Permission::ManageReference, None)?;
    let db = app_state()?.db.clone();
    let known = db.sla_rules().await?;
    let mut errors = FormErrors::default();
    let mut rules = Vec::new();
    for (id_type, id_priority, _) in known {
        let field = format!("t{id_type}p{id_priority}");
        let value = hours
            .get(&field)
            .map(String::as_str)
            .unwrap_or_default()
            .trim()
            .to_owned();
        errors.keep(&field, &value);
        match value.parse::<i64>() {
            Ok(hours) if (1..=8760).contains(&hours) => rules.push((id_type, id_priority, hours)),
            _ => errors.add_with_detail(&field, Key::NumberOutOfRange, "1–8760"),
        }
    }
    errors.into_result()?;
    db.set_sla_rules(&rules).await?;
    db.record_audit_event(Some(actor.id), "sla.update", "sla_rules", "")
        .await?;
    leptos_axum::redirect("/admin/sla?done=saved");
    Ok(())
}

async fn sla_content(error: Option<AppError>) -> Result<AnyView, AppError> {
    let user = require_user()?;
    let db = app_state()?.db.clone();
    let may_edit = authorize(&user, Permission::ManageReference, None).is_ok();
    let rules = db.sla_rules().await?;
    let types = db.list_lookup(LookupTable::RequestTypes).await?;
    let priorities = db.list_lookup(LookupTable::Priorities).await?;
    let language = use_language();
    let errors = error.as_ref().and_then(AppError::form_errors).cloned();
    let header = priorities
        .iter()
        .map(|p| view! { <th scope="col" class="num">{p.name(language).to_owned()}</th> })
        .collect_view();
    let rows = types
        .iter()
        .map(|request_type| {
            let cells = priorities
                .iter()
                .map(|priority| {
                    let field = format!("t{}p{}", request_type.id, priority.id);
                    let stored = rules
                        .iter()
                        .find(|(t, p, _)| *t == request_type.id && *p == priority.id)
                        .map(|(_, _, hours)| hours.to_string())
                        .unwrap_or_default();
                    let value = errors.as_ref().and_then(|e| e.value(&field)).map(ToOwned::to_owned).unwrap_or(stored);
                    let invalid = errors.as_ref().is_some_and(|e| e.for_field(&field).is_some());
                    let label = format!("{} — {}", request_type.name(language), priority.name(language));
                    if may_edit {
                        view! {
                            <td class="num">
                                <input class="hours" type="number" min="1" max="8760" name=format!("hours[{field}]")
                                    value=value aria-label=label aria-invalid=invalid.then_some("true") />
                            </td>
                        }
                        .into_any()
                    } else {
                        view! { <td class="num">{value}</td> }.into_any()
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{format!("{} · {}", request_type.id, request_type.name(language))}</th>{cells}</tr> }
        })
        .collect_view();
    let table = view! {
        <div class="table-wrap">
            <table class="table compact" data-testid="sla-table">
                <thead><tr><th scope="col">{t(Key::RequestType)}</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    };
    Ok(if may_edit {
        view! {
            {errors.is_some().then(|| view! { <div class="banner banner-error" role="alert">{t(Key::SlaInvalid)}</div> })}
            <form action=SaveSla::PATH method="post" class="panel stack">
                {table}
                <button type="submit" class="button button-primary">{t(Key::Save)}</button>
            </form>
        }
        .into_any()
    } else {
        view! { <section class="panel">{table}</section> }.into_any()
    })
}

#[component]
pub fn SlaPage() -> impl IntoView {
    let error = submission_error::<SaveSla>();
    let banner = error.clone().filter(|error| error.form_errors().is_none());
    let done = query_param("done")
        .filter(|done| done == "saved")
        .map(|_| Key::UserSaved);
    let content = Suspend::new(async move { super::or_error_banner(sla_content(error).await) });
    view! {
        {page_title(Key::SlaTitle)}
        <Layout current="/reference">
            <h1>{t(Key::SlaTitle)}</h1>
            <p class="lead">{t(Key::SlaIntro)}</p>
            <Notice message=done />
            <ErrorBanner error=banner />
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
}
