//! The event loop (design.md §4): the main task alone owns [`App`]; it selects over crossterm's
//! `EventStream`, the channel of finished effects, signals and a render deadline; drains every
//! pending input before drawing; draws only when dirty, at most every ~16 ms, inside a
//! synchronized update.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use std::task::Poll;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::action::{Action, AnswerScope, Effect, ExportedFile, ImportJob, ImportRead};
use super::action::{Request, Response};
use super::app::{App, AppOptions};
use super::terminal::{self, TerminalGuard, Tui};
use super::ui;
use crate::api::contract::{
    ExportAnswer, ExportBatch, ExportBatchId, ExportFormat, NewExport, PortalAnswer, WorkersQuery,
};
use crate::api::contract::{NewTrainee, SessionDetail};
use crate::api::{ApiError, Client};
use crate::domain::session::SessionId;
use crate::domain::worker::WorkerId;
use crate::drafts::{DraftError, DraftStore};
use crate::import::team::TeamImport;
use crate::import::{FileReport, Plan};
use crate::rules::Rules;
use crate::search::SearchIndex;

/// At most one frame per this delay.
const FRAME: Duration = Duration::from_millis(16);

/// The spinner turns at this pace while requests are in flight (a one-cell change per tick).
const SPINNER_TICK: Duration = Duration::from_millis(150);

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// SIGTERM or SIGHUP (terminal restored all the same).
    Signal,
}

/// Runs the application until the user quits or a signal arrives. The terminal is restored on
/// every path, errors and panics included.
pub async fn run(
    client: Client,
    options: AppOptions,
    rules: Rules,
    mouse: bool,
) -> io::Result<Exit> {
    let (guard, mut terminal) = TerminalGuard::enter(mouse)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let (mut app, effects) = App::new(options, &rules);
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    draw(&mut terminal, &app)?;
    run_effects(effects, &client, &tx, &guard, &mut terminal)?;

    let mut events = EventStream::new();
    let (mut sigterm, mut sighup, mut sigcont) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate())?,
            signal(SignalKind::hangup())?,
            // Continued after a stop from outside (kill -STOP, then -CONT or `fg`): the shell
            // may have reset the terminal meanwhile.
            signal(SignalKind::from_raw(libc::SIGCONT))?,
        )
    };
    let mut dirty = false;
    let mut last_draw = Instant::now();
    let exit = loop {
        let mut actions = Vec::new();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    push_event(event, &mut actions);
                    // Drain everything already pending before drawing. Polled with this
                    // task's waker (not a no-op one), so the stream keeps waking us.
                    while let Poll::Ready(Some(Ok(event))) =
                        std::future::poll_fn(|cx| Poll::Ready(events.poll_next_unpin(cx))).await
                    {
                        push_event(event, &mut actions);
                    }
                }
                Some(Err(e)) => return Err(e),
                None => break Exit::Quit,
            },
            Some(action) = rx.recv() => {
                actions.push(action);
                while let Ok(action) = rx.try_recv() {
                    actions.push(action);
                }
            }
            _ = recv_signal(&mut sigterm) => break Exit::Signal,
            _ = recv_signal(&mut sighup) => break Exit::Signal,
            _ = recv_signal(&mut sigcont) => {
                guard.resume()?;
                let (width, height) = terminal::repaint(&mut terminal)?;
                actions.push(Action::Resize(width, height));
            }
            _ = tokio::time::sleep_until(last_draw + FRAME), if dirty => {}
            _ = tokio::time::sleep(SPINNER_TICK), if !dirty && app.in_flight() > 0 => {
                actions.push(Action::Tick);
            }
        }
        for action in actions {
            dirty = true;
            let effects = app.update(action);
            run_effects(effects, &client, &tx, &guard, &mut terminal)?;
        }
        if app.quit {
            break Exit::Quit;
        }
        if dirty && last_draw.elapsed() >= FRAME {
            draw(&mut terminal, &app)?;
            dirty = false;
            last_draw = Instant::now();
        }
    };
    drop(guard);
    Ok(exit)
}

async fn recv_signal(signal: &mut tokio::signal::unix::Signal) {
    signal.recv().await;
}

fn push_event(event: Event, actions: &mut Vec<Action>) {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => actions.push(Action::Key(key)),
        Event::Mouse(mouse) => actions.push(Action::Mouse(mouse)),
        Event::Paste(text) => actions.push(Action::Paste(text)),
        Event::Resize(width, height) => actions.push(Action::Resize(width, height)),
        _ => {}
    }
}

fn draw(terminal: &mut Tui, app: &App) -> io::Result<()> {
    let mut out = io::stdout();
    crossterm::queue!(out, BeginSynchronizedUpdate)?;
    terminal.draw(|frame| ui::render(app, frame))?;
    crossterm::queue!(out, EndSynchronizedUpdate)?;
    out.flush()
}

fn run_effects(
    effects: Vec<Effect>,
    client: &Client,
    tx: &mpsc::UnboundedSender<Action>,
    guard: &TerminalGuard,
    terminal: &mut Tui,
) -> io::Result<()> {
    for effect in effects {
        match effect {
            Effect::Request {
                id,
                request: Request::Import(job),
            } => {
                let client = client.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let progress = |sent| {
                        let _ = tx.send(Action::ImportProgress { id, sent });
                    };
                    let result = import(&client, job, progress).await;
                    let _ = tx.send(Action::Loaded { id, result });
                });
            }
            Effect::Request { id, request } => {
                let client = client.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let result = fetch(&client, request).await;
                    // The loop may be gone when the user quit: nothing to do then.
                    let _ = tx.send(Action::Loaded { id, result });
                });
            }
            Effect::Search {
                index,
                query,
                generation,
                within,
            } => {
                let tx = tx.clone();
                tokio::task::spawn_blocking(move || {
                    let matches = index.search(
                        &query,
                        500,
                        within.as_deref().map(Vec::as_slice),
                        generation,
                    );
                    let _ = tx.send(Action::Searched(matches));
                });
            }
            Effect::Suspend => {
                guard.suspend()?;
                let (width, height) = terminal::repaint(terminal)?;
                // The loop is alive (it runs this): the send cannot fail.
                let _ = tx.send(Action::Resize(width, height));
            }
        }
    }
    Ok(())
}

/// Runs one request with the client.
pub async fn fetch(client: &Client, request: Request) -> Result<Response, ApiError> {
    Ok(match request {
        Request::Me => Response::Me(client.me().await?),
        Request::Import(job) => import(client, job, |_| {}).await?,
        Request::Catalogue => Response::Catalogue(client.catalogue().await?.items),
        Request::Expirations(query) => Response::Expirations(client.all_expirations(&query).await?),
        Request::Sessions(query) => Response::Sessions(client.all_sessions(&query).await?),
        Request::Session(id) => Response::Session(Box::new(client.session(id).await?)),
        Request::Roster => {
            let workers = client.all_workers(&WorkersQuery::default()).await?;
            let (workers, index) = tokio::task::spawn_blocking(move || {
                let index = SearchIndex::new(&workers);
                (workers, index)
            })
            .await
            .map_err(|e| ApiError::Malformed {
                detail: e.to_string(),
            })?;
            Response::Roster(std::sync::Arc::new(workers), std::sync::Arc::new(index))
        }
        Request::Passport(id) => Response::Passport(Box::new(client.passport(id).await?)),
        Request::Declarations(query) => {
            Response::Declarations(client.all_declarations(&query).await?)
        }
        Request::Declaration(id) => Response::Declaration(Box::new(client.declaration(id).await?)),
        Request::RemoveTitulaire {
            declaration,
            id_unique_partenaire,
        } => Response::Declaration(Box::new(
            client
                .remove_titulaire(declaration, &id_unique_partenaire)
                .await?,
        )),
        Request::ExportBatches => Response::Exported(export_batches(client).await?),
        Request::Verifications(query) => {
            Response::Verifications(client.verifications(&query).await?.items)
        }
        Request::Undeclared => Response::Undeclared(client.undeclared().await?.items),
        Request::VerifyLine { line, key } => {
            Response::Verified(Box::new(client.verify_line(line, &key).await?))
        }
        Request::RequestCorrection { line, message, key } => Response::Verified(Box::new(
            client.request_correction(line, &message, &key).await?,
        )),
        Request::AnswerExport { batch, answer } => {
            Response::ExportAnswered(Box::new(answer_export(client, batch, answer).await?))
        }
        Request::Audit(query) => Response::Audit(client.audit(&query).await?),
        Request::ListDrafts => Response::Drafts(drafts(|store| store.list()).await),
        Request::SaveDraft(draft) => {
            Response::DraftSaved(drafts(move |store| store.save(&draft)).await)
        }
        Request::DeleteDraft(id) => {
            Response::DraftDeleted(drafts(move |store| store.delete(&id)).await)
        }
        Request::ValidateDeclaration(declaration) => {
            Response::Validated(client.validate_declaration(&declaration).await?)
        }
        Request::CreateDeclaration { declaration, key } => {
            let (view, created) = client.create_declaration(&declaration, &key).await?;
            Response::Created(Box::new(view), created)
        }
        Request::Staff(id) => Response::Staff(Box::new(client.staff(id).await?)),
        Request::CreateWorker { worker, key } => {
            Response::Staff(Box::new(client.create_worker(&worker, &key).await?.0))
        }
        Request::UpdateWorker { id, patch } => {
            Response::Staff(Box::new(client.update_worker(id, &patch).await?))
        }
        Request::ArchiveWorker { id, key } => {
            Response::Staff(Box::new(client.archive_worker(id, &key).await?))
        }
        Request::CreateTraining {
            worker,
            record,
            key,
        } => Response::TrainingSaved(Box::new(
            client.create_training(worker, &record, &key).await?.0,
        )),
        Request::RemoveTraining {
            worker,
            entry_id,
            reason,
        } => Response::TrainingSaved(Box::new(
            client.remove_training(worker, entry_id, &reason).await?,
        )),
        Request::CreateSession { session, key } => {
            Response::Session(Box::new(client.create_session(&session, &key).await?.0))
        }
        Request::UpdateSession { id, patch } => {
            Response::Session(Box::new(client.update_session(id, &patch).await?))
        }
        Request::EnrolTrainees {
            session,
            workers,
            key,
        } => Response::Session(Box::new(enrol(client, session, &workers, &key).await?)),
        Request::EnrolPerson {
            session,
            trainee,
            key,
        } => Response::Session(Box::new(
            client.enrol_trainee(session, &trainee, &key).await?.0,
        )),
        Request::RemoveTrainee { session, worker } => {
            Response::Session(Box::new(client.remove_trainee(session, worker).await?))
        }
        Request::SetOutcome {
            session,
            worker,
            outcome,
        } => Response::Session(Box::new(
            client.set_outcome(session, worker, outcome).await?,
        )),
        Request::CloseSession { session, key } => {
            Response::Session(Box::new(client.close_session(session, &key).await?))
        }
    })
}

/// Reads and checks a file off the UI task ([`crate::import`], shared with `passeport import`),
/// then sends it when the job says so, calling `progress` after each declaration. A file that
/// cannot be imported at all answers its French reason, not an error of the server.
async fn import(
    client: &Client,
    job: ImportJob,
    progress: impl FnMut(usize),
) -> Result<Response, ApiError> {
    let account = client.me().await?;
    let ImportJob {
        path,
        send,
        rules,
        today,
    } = job;
    let shown = path.display().to_string();
    let read_path = shown.clone();
    let read_rules = Arc::clone(&rules);
    let planned = tokio::task::spawn_blocking(move || {
        let bytes = crate::import::read_bytes(&path)?;
        crate::import::plan(&bytes, &read_path, None, account.kind, today, &read_rules)
    })
    .await
    .map_err(|error| ApiError::Malformed {
        detail: error.to_string(),
    })?;
    let mut progress = progress;
    let mut plan = match planned {
        Ok(Plan::Declarations(plan)) => plan,
        Ok(Plan::Team(team)) => {
            let (table, columns) = *team;
            let mut team = TeamImport::new(&shown, table, columns);
            let done = match team.check(client, &account, &rules, today).await {
                Ok(()) if send => team.apply(client, |written, _| progress(written)).await,
                other => other,
            };
            if let Err(error) = done {
                return match error.into_server() {
                    Ok(error) => Err(error),
                    Err(message) => Ok(Response::Import(Err(message))),
                };
            }
            return Ok(Response::Import(Ok(Box::new(ImportRead {
                description: format!("{shown} : {}", team.report.sheet.to_text()),
                report: FileReport::Team(team.report),
            }))));
        }
        Err(error) => return Ok(Response::Import(Err(error.to_string()))),
    };
    plan.report.dry_run = !send;
    plan.check(client).await?;
    if send {
        plan.apply(client, |sent, _| progress(sent)).await?;
    }
    Ok(Response::Import(Ok(Box::new(ImportRead {
        description: plan.description,
        report: FileReport::Declarations(plan.report),
    }))))
}

/// Enrols the workers one after the other (the route takes one trainee), each under its own
/// idempotency key; answers the session after the last one, or the first error.
async fn enrol(
    client: &Client,
    session: SessionId,
    workers: &[WorkerId],
    key: &str,
) -> Result<SessionDetail, ApiError> {
    let mut last = None;
    for &worker in workers {
        let trainee = NewTrainee::worker(worker);
        let (detail, _) = client
            .enrol_trainee(session, &trainee, &format!("{key}-{worker}"))
            .await?;
        last = Some(detail);
    }
    match last {
        Some(detail) => Ok(detail),
        None => client.session(session).await,
    }
}

/// Runs a draft-store operation off the UI task; errors become their French message.
async fn drafts<T: Send + 'static>(
    op: impl FnOnce(&DraftStore) -> Result<T, DraftError> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(move || DraftStore::open_default().and_then(|store| op(&store)))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// Records the portal's answer to a batch; for one declaration's lines, names them by their
/// ID_UNIQUE_PARTENAIRE in that batch.
async fn answer_export(
    client: &Client,
    batch: ExportBatchId,
    scope: AnswerScope,
) -> Result<ExportBatch, ApiError> {
    let answer = match scope {
        AnswerScope::Accepted => ExportAnswer {
            answer: PortalAnswer::Accepted,
            titulaires: Vec::new(),
        },
        AnswerScope::Refused => ExportAnswer {
            answer: PortalAnswer::Refused,
            titulaires: Vec::new(),
        },
        AnswerScope::Declaration(declaration) => {
            let lines = client.export_batch(batch).await?.lines;
            let titulaires: Vec<String> = lines
                .into_iter()
                .filter(|line| line.declaration_id == declaration)
                .map(|line| line.id_unique_partenaire)
                .collect();
            if titulaires.is_empty() {
                return Err(ApiError::Client {
                    detail: format!("le lot {batch} ne contient aucune ligne de cette déclaration"),
                });
            }
            ExportAnswer {
                answer: PortalAnswer::RefusedTitulaires,
                titulaires,
            }
        }
    };
    client.answer_export(batch, &answer).await
}

/// Makes one export batch per layout with lines not sent yet (`POST /v1/exports`) and writes
/// each file, under the name the server gave it, in the exports folder of the data directory.
async fn export_batches(client: &Client) -> Result<Vec<ExportedFile>, ApiError> {
    let mut created = Vec::new();
    for kind in [ExportFormat::Adf, ExportFormat::Jdr] {
        let bytes: [u8; 16] = rand::random();
        let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let request = NewExport { kind, all: false };
        if let Some(batch) = client
            .create_export(&request, &format!("tui-{key}"))
            .await?
        {
            created.push(batch);
        }
    }
    let failed = |detail: String| ApiError::Client { detail };
    tokio::task::spawn_blocking(move || {
        let dir = crate::paths::data_dir()
            .map_err(|e| failed(e.to_string()))?
            .join("exports");
        crate::paths::create_private_dir(&dir)
            .map_err(|e| failed(format!("{} : {e}", dir.display())))?;
        let mut written = Vec::new();
        for batch in created {
            let summary = &batch.batch.summary;
            let path = dir.join(&summary.file_name);
            crate::cli::export::write_atomically(&path, batch.file.as_bytes())
                .map_err(|e| failed(format!("{} : {e}", path.display())))?;
            written.push(ExportedFile {
                path,
                batch: summary.id,
                kind: summary.kind,
                lines: summary.line_count,
            });
        }
        Ok(written)
    })
    .await
    .map_err(|e| ApiError::Client {
        detail: e.to_string(),
    })?
}
