//! HQ's connections to the branches' own TCRM (HQ admins only): per branch its
//! production and UAT addresses, the one in use, whether tickets are sent, the
//! API account HQ uses there and its write-only password. "Test connection"
//! posts the same form to its own server function, which signs in with what
//! the form holds and shows the answer in the branch's section.

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

use crate::auth::{Permission, authorize};
use crate::branch_remotes::RemoteForm;
use crate::components::{ErrorBanner, Layout, Notice, SelectField, TextField, submission_error};
use crate::error::{AppError, FormErrors};
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::api_accounts::request_session;
use crate::pages::forbidden::Forbidden;
use crate::pages::{or_error_banner, query_param};
use crate::request::{app_state, identity, require_user};
use crate::store::outbox::BranchRemote;

const PAGE: &str = "/admin/branches";

/// Where a connection test's answer waits in the tester's session for the page
/// after the redirect (the peer's answer is kept out of the URL).
const TEST_RESULT_KEY: &str = "tcrm.branch_remote.test_result";
/// An answer not shown within this time is dropped unseen.
const TEST_RESULT_SHOWN_WITHIN: Duration = Duration::minutes(10);

/// The answer of a connection test, with what the form held (never the password).
#[derive(Serialize, Deserialize)]
struct TestResult {
    branch: String,
    values: FormErrors,
    url: String,
    /// The peer error's text; `None` when signing in worked.
    error: Option<String>,
    tested_at: DateTime<Utc>,
}

fn remote_form(
    branch: String,
    base_url: String,
    uat_base_url: String,
    environment: String,
    enabled: &str,
    username: String,
    password: String,
) -> RemoteForm {
    RemoteForm {
        branch,
        base_url,
        uat_base_url,
        environment,
        enabled: matches!(enabled, "true" | "on"),
        username,
        password,
    }
}

/// Saves one branch's settings; an unchecked box is absent from the post.
#[server(endpoint = "branches/save")]
pub async fn save_branch_remote(
    branch: String,
    base_url: String,
    uat_base_url: String,
    environment: String,
    #[server(default)] enabled: String,
    username: String,
    password: String,
) -> Result<(), AppError> {
    let actor = require_user()?;
    let state = app_state()?;
    let form = remote_form(
        branch,
        base_url,
        uat_base_url,
        environment,
        &enabled,
        username,
        password,
    );
    let branch = crate::branch_remotes::save(&state.db, &state.secret_key, &actor, &form).await?;
    leptos_axum::redirect(&format!("{PAGE}?done=saved#branch-{branch}"));
    Ok(())
}

/// Signs in to the branch's API with the form's settings (the stored password
/// when none is typed); saves nothing.
#[server(endpoint = "branches/test")]
pub async fn test_branch_remote(
    branch: String,
    base_url: String,
    uat_base_url: String,
    environment: String,
    #[server(default)] enabled: String,
    username: String,
    password: String,
) -> Result<(), AppError> {
    let actor = require_user()?;
    let state = app_state()?;
    let form = remote_form(
        branch,
        base_url,
        uat_base_url,
        environment,
        &enabled,
        username,
        password,
    );
    let test = crate::branch_remotes::test(&state.db, &state.secret_key, &actor, &form).await?;
    let result = TestResult {
        branch: test.branch.to_string(),
        values: form.kept_values(),
        url: test.url,
        error: test.outcome.err().map(|error| error.to_string()),
        tested_at: Utc::now(),
    };
    request_session()?
        .insert(TEST_RESULT_KEY, result)
        .await
        .map_err(|error| {
            tracing::error!(%error, "keeping a connection test's answer in the session");
            AppError::Internal
        })?;
    leptos_axum::redirect(&format!("{PAGE}?done=tested#branch-{}", test.branch));
    Ok(())
}

/// The connection test's answer waiting for this page, removed as it is read.
async fn take_test_result() -> Option<TestResult> {
    let session = request_session().ok()?;
    match session.remove::<TestResult>(TEST_RESULT_KEY).await {
        Ok(Some(result)) if Utc::now() - result.tested_at <= TEST_RESULT_SHOWN_WITHIN => {
            Some(result)
        }
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, "unreadable connection test answer in the session");
            None
        }
    }
}

/// What one branch's section shows besides the stored settings.
#[derive(Default)]
struct SectionState {
    /// A refused post's messages and typed values, or the values of a test.
    errors: Option<FormErrors>,
    tested: Option<TestResult>,
}

/// The branch a refused or tested form was about (its hidden field).
fn form_branch(errors: &FormErrors) -> String {
    errors
        .value("branch")
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase()
}

fn branch_section(remote: BranchRemote, state: SectionState) -> impl IntoView {
    let code = remote.code.to_string();
    let prefix = code.to_ascii_lowercase();
    let errors = state
        .errors
        .or_else(|| state.tested.as_ref().map(|tested| tested.values.clone()));
    let enabled = errors.as_ref().map_or(remote.remote_enabled, |errors| {
        errors.value("enabled") == Some("true")
    });
    let environments = vec![
        (
            "production".to_owned(),
            t(Key::EnvironmentProduction).to_owned(),
        ),
        ("uat".to_owned(), t(Key::EnvironmentUat).to_owned()),
    ];
    let (status, status_off) = if remote.remote_enabled {
        (Key::RemoteOn, false)
    } else {
        (Key::RemoteOff, true)
    };
    let in_use = if remote.remote_environment == "uat" {
        Key::EnvironmentUat
    } else {
        Key::EnvironmentProduction
    };
    let password_stored = if remote.remote_password_sealed.is_empty() {
        Key::RemotePasswordNone
    } else {
        Key::RemotePasswordStored
    };
    let tested = state.tested.map(|tested| match tested.error {
        None => view! {
            <div class="banner banner-ok" role="status" data-testid="test-result">
                {t(Key::RemoteTestOk)} " " <code>{tested.url}</code>
            </div>
        }
        .into_any(),
        Some(error) => view! {
            <div class="banner banner-error" role="alert" data-testid="test-result">
                {t(Key::RemoteTestFailed)} " " <span class="prewrap">{error}</span>
            </div>
        }
        .into_any(),
    });
    let section_id = format!("branch-{code}");
    let heading = format!("branch-{code}-heading");
    let labelled_by = heading.clone();
    let testid = section_id.clone();
    let title = format!("{code} — {}", remote.name);
    let test_path = <TestBranchRemote as ServerFn>::PATH;
    view! {
        <section class="panel" id=section_id aria-labelledby=labelled_by data-testid=testid>
            <h2 id=heading>
                {title} " "
                <span class="badge" class:badge-off=status_off>{t(status)}</span> " "
                <span class="badge badge-off">{t(in_use)}</span>
            </h2>
            {tested}
            <form action=SaveBranchRemote::PATH method="post" class="stack">
                <input type="hidden" name="branch" value=code />
                <div class="grid-2">
                    <TextField name="base_url" label=Key::ProductionBaseUrl value=remote.base_url.clone()
                        help=Key::BaseUrlHelp errors=errors.clone() id_prefix=prefix.clone() />
                    <TextField name="uat_base_url" label=Key::UatBaseUrl value=remote.uat_base_url.clone()
                        help=Key::BaseUrlHelp errors=errors.clone() id_prefix=prefix.clone() />
                    <SelectField name="environment" label=Key::RemoteEnvironment options=environments
                        selected=remote.remote_environment.clone() errors=errors.clone() id_prefix=prefix.clone() />
                    <div class="field checks">
                        <label>
                            <input type="checkbox" name="enabled" value="true" checked=enabled />
                            {t(Key::RemoteEnabled)}
                        </label>
                    </div>
                    <TextField name="username" label=Key::RemoteUsername value=remote.remote_username.clone()
                        errors=errors.clone() id_prefix=prefix.clone() />
                    <div class="stack">
                        <TextField name="password" label=Key::RemotePassword input_type="password" autocomplete="new-password"
                            help=Key::RemotePasswordHelp errors=errors id_prefix=prefix />
                        <p class="field-help" data-testid="password-stored">{t(password_stored)}</p>
                    </div>
                </div>
                <div class="inline-fields">
                    <button type="submit" class="button button-primary">{t(Key::Save)}</button>
                    <button type="submit" class="button" formaction=test_path>
                        {t(Key::TestConnection)}
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
pub fn BranchSettingsPage() -> impl IntoView {
    let Some(actor) = identity().user else {
        return ().into_any();
    };
    if authorize(&actor, Permission::ManageReference, None).is_err() {
        return view! {
            {page_title(Key::ForbiddenTitle)}
            <Layout current=PAGE><Forbidden /></Layout>
        }
        .into_any();
    }
    let refused =
        submission_error::<SaveBranchRemote>().or_else(submission_error::<TestBranchRemote>);
    let banner = refused
        .clone()
        .filter(|error| error.form_errors().is_none());
    let refused_form = refused.and_then(|error| error.form_errors().cloned());
    let done = query_param("done")
        .filter(|done| done == "saved")
        .map(|_| Key::RemoteSaved);

    let content = Suspend::new(async move {
        let result: Result<AnyView, AppError> = async move {
            let remotes = app_state()?.db.branch_remotes().await?;
            let mut tested = take_test_result().await;
            let refused_branch = refused_form.as_ref().map(form_branch);
            let refused_link = refused_branch.clone().map(|branch| {
                view! {
                    <div class="banner banner-error" role="alert">
                        <a href=format!("#branch-{branch}")>{branch.clone()}</a> ": " {t(Key::ErrValidation)}
                    </div>
                }
            });
            let mut refused_form = refused_form;
            let sections = remotes
                .into_iter()
                .map(|remote| {
                    let code = remote.code.as_str();
                    let state = SectionState {
                        errors: refused_form
                            .take_if(|_| refused_branch.as_deref() == Some(code)),
                        tested: tested.take_if(|tested| tested.branch == code),
                    };
                    branch_section(remote, state)
                })
                .collect_view();
            Ok(view! { {refused_link} {sections} }.into_any())
        }
        .await;
        or_error_banner(result)
    });

    view! {
        {page_title(Key::BranchSettingsTitle)}
        <Layout current=PAGE>
            <h1>{t(Key::BranchSettingsTitle)}</h1>
            <p class="lead">{t(Key::BranchSettingsIntro)}</p>
            <Notice message=done />
            <ErrorBanner error=banner />
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checked_box_enables_and_an_absent_one_does_not() {
        let form = |enabled| {
            remote_form(
                "GD".into(),
                String::new(),
                String::new(),
                "production".into(),
                enabled,
                String::new(),
                String::new(),
            )
        };
        assert!(form("true").enabled);
        assert!(form("on").enabled);
        assert!(!form("").enabled);
    }

    #[test]
    fn a_refused_form_belongs_to_the_branch_it_named() {
        let mut errors = FormErrors::default();
        errors.keep("branch", " gd ");
        assert_eq!(form_branch(&errors), "GD");
        assert_eq!(form_branch(&FormErrors::default()), "");
    }
}
