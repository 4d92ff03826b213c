//! Declaration deadlines (délais de déclaration) and the scope of mandatory declaration.
//!
//! The rules are data, in `assets/deadlines.toml`, each citing its source (domain.md §4 and §8).
//! The reference date is the training end date for an attestation de formation and the validity
//! start date for a justificatif de réussite; a deadline counts from the end of the reference
//! quarter. "N months after the end of the quarter" is the last day of the month reached, so
//! Q2 + 6 months is 31 December, not 30 December (domain.md §8: Q2 → 31/12/2026).
//!
//! Whether a training must be declared at all is decided on its END date, for every declaration
//! kind: the obligation covers trainings that end on or after the scope date of their category
//! (OPCO EP: « obligatoire pour les formations qui se terminent postérieurement à cette date »
//! [S]; domain.md §4 [C]). The validity start of a justificatif only moves the deadline. Excluded
//! trainings (décret 2022-1712 art. 4-II) are never to be declared. [`DeadlineRules::obligation`]
//! is the one place where both are applied.

mod article7;

use std::collections::HashSet;
use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Deserializer};

pub use article7::FallbackRule;

use super::training::{Confidence, Exclusion, TrainingType};
use super::{DeclarantKind, DeclarationKind};
use crate::rules::{RulesError, line_of, parse_toml};

/// The deadline rules shipped with the binary.
pub const DEADLINES_TOML: &str = include_str!("../../assets/deadlines.toml");

/// Display name of the embedded rules in error messages.
const EMBEDDED_PATH: &str = "assets/deadlines.toml";

/// Longest delay accepted after the end of the quarter, in months.
const MAX_MONTHS_AFTER_QUARTER_END: u32 = 24;

/// How the due date of a rule is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// A fixed due date, whatever the reference date.
    On(NaiveDate),
    /// The last day of the month reached N months after the end of the reference quarter.
    MonthsAfterQuarterEnd(u32),
}

/// One deadline rule: for a declarant, the reference dates it covers and how the due date follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineRule {
    /// Who declares.
    pub declarant: DeclarantKind,
    /// First reference date covered.
    pub from: NaiveDate,
    /// Last reference date covered; `None` for the declarant's last, open-ended rule.
    pub until: Option<NaiveDate>,
    /// How the due date is set.
    pub due: Due,
    /// URL of the source.
    pub source: String,
    /// Remark in French.
    pub note: Option<String>,
    /// How firmly the rule rests on its source (unlabelled: an inference).
    pub confidence: Confidence,
}

impl DeadlineRule {
    /// Whether `reference` falls within this rule's period.
    pub fn covers(&self, reference: NaiveDate) -> bool {
        self.from <= reference && self.until.is_none_or(|until| reference <= until)
    }

    /// The due date for `reference` under this rule (`None` only on calendar overflow).
    pub fn due_date(&self, reference: NaiveDate) -> Option<NaiveDate> {
        match self.due {
            Due::On(date) => Some(date),
            Due::MonthsAfterQuarterEnd(months) => quarter_end(reference)
                .with_day(1)?
                .checked_add_months(Months::new(months))
                .and_then(last_day_of_month),
        }
    }
}

/// From which training end date a declarant must declare the trainings of some categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRule {
    /// Who declares.
    pub declarant: DeclarantKind,
    /// First training end date for which the declaration is mandatory.
    pub from: NaiveDate,
    /// The categories (1–4) concerned.
    pub categories: Vec<u8>,
    /// URL of the source.
    pub source: String,
    /// Remark in French.
    pub note: Option<String>,
    /// How firmly the rule rests on its source (unlabelled: an inference).
    pub confidence: Confidence,
}

/// Whether a training must be declared, and by when ([`DeadlineRules::obligation`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Obligation<'a> {
    /// Mandatory: due by `due` under `rule`.
    Due {
        /// Last day to declare.
        due: NaiveDate,
        /// The deadline rule, with its source and confidence.
        rule: &'a DeadlineRule,
    },
    /// Not mandatory: the training ended before its category was in scope (`from`, with the scope
    /// rule), or its category is never in scope (`from` is `None`).
    NotMandatory {
        /// First training end date in scope for this category, if any.
        from: Option<NaiveDate>,
        /// The scope rule that sets `from`.
        scope: Option<&'a ScopeRule>,
    },
    /// Excluded from the Passeport (décret 2022-1712 art. 4-II): never to be declared.
    Excluded(&'a Exclusion),
    /// The training type is unknown, and on its end date only some categories were mandatory: the
    /// product does not guess. `due` is the deadline if it is one of `mandatory`.
    CategoryUnknown {
        /// The categories that were mandatory on the training's end date.
        mandatory: Vec<u8>,
        /// The deadline that applies if the training is in one of them.
        due: Option<NaiveDate>,
        /// The deadline rule behind `due`.
        rule: Option<&'a DeadlineRule>,
    },
}

impl Obligation<'_> {
    /// The date the declaration is due by, only when it is surely mandatory.
    pub fn due_date(&self) -> Option<NaiveDate> {
        match self {
            Self::Due { due, .. } => Some(*due),
            _ => None,
        }
    }

    /// The deadline to show beside the declaration: the due date when it is mandatory, and also
    /// when its category is unknown (the date that applies if it is one of the mandatory ones:
    /// hiding it could let a user miss a declaration owed). Only [`Obligation::Due`] can be late.
    pub fn shown_deadline(&self) -> Option<NaiveDate> {
        match self {
            Self::Due { due, .. } => Some(*due),
            Self::CategoryUnknown { due, .. } => *due,
            _ => None,
        }
    }

    /// Whether recording the declaration on `day` is late: only when it is surely mandatory.
    pub fn is_late_on(&self, day: NaiveDate) -> bool {
        self.due_date().is_some_and(|due| day > due)
    }

    /// The French explanation shown to a user, with the confidence label of its rule.
    pub fn explain(&self) -> String {
        let day = |date: &NaiveDate| date.format("%d/%m/%Y").to_string();
        match self {
            Self::Due { due, rule } => format!(
                "À déclarer au plus tard le {} {}{}",
                day(due),
                rule.confidence.tag(),
                rule.note
                    .as_deref()
                    .map_or_else(String::new, |note| format!(" — {note}"))
            ),
            Self::NotMandatory {
                from: Some(from),
                scope,
            } => format!(
                "Pas obligatoire : la formation s'est terminée avant le {}, date à partir de                  laquelle sa catégorie doit être déclarée {}",
                day(from),
                scope.map_or(Confidence::Inferred, |s| s.confidence).tag()
            ),
            Self::NotMandatory { from: None, .. } => {
                "Pas obligatoire : aucune règle ne rend cette catégorie obligatoire pour ce                  déclarant"
                    .to_owned()
            }
            Self::Excluded(exclusion) => format!(
                "Exclue du Passeport de prévention : {} ({}) {}",
                exclusion.reason,
                exclusion.rule,
                exclusion.confidence.tag()
            ),
            Self::CategoryUnknown { mandatory, due, .. } => {
                let list: Vec<String> = mandatory.iter().map(u8::to_string).collect();
                let due = due.map_or_else(String::new, |d| {
                    format!(", à déclarer au plus tard le {}", day(&d))
                });
                format!(
                    "Catégorie inconnue : à la fin de cette formation, seules les catégories {}                      étaient obligatoires ; si c'est le cas de celle-ci{due}. Indiquez le type                      de formation (code du catalogue) pour le savoir",
                    list.join(" et ")
                )
            }
        }
    }

    /// The confidence label of the rule behind this answer.
    pub fn confidence(&self) -> Confidence {
        match self {
            Self::Due { rule, .. } => rule.confidence,
            Self::NotMandatory { scope, .. } => {
                scope.map_or(Confidence::Inferred, |s| s.confidence)
            }
            Self::Excluded(exclusion) => exclusion.confidence,
            Self::CategoryUnknown { .. } => Confidence::Inferred,
        }
    }

    /// The URL of the source behind this answer, if any.
    pub fn source(&self) -> Option<&str> {
        match self {
            Self::Due { rule, .. } => Some(&rule.source),
            Self::NotMandatory { scope, .. } => scope.map(|s| s.source.as_str()),
            Self::Excluded(exclusion) => Some(&exclusion.source),
            Self::CategoryUnknown { rule, .. } => rule.map(|r| r.source.as_str()),
        }
    }
}

/// The deadline and scope rules, checked on load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineRules {
    rules: Vec<DeadlineRule>,
    scope: Vec<ScopeRule>,
    /// Art. 7-I: the employer's verification window ([`DeadlineRules::verification_rule`]).
    verification: Vec<DeadlineRule>,
    /// Art. 7-II: the employer's deadline when the OF has not declared.
    fallback: Vec<FallbackRule>,
}

impl DeadlineRules {
    /// Parses and checks a deadlines file: per rule, exactly one of `due_on` and
    /// `months_after_quarter_end`, `until` not before `from`, an http(s) source; per declarant, at
    /// least one rule, periods that neither overlap nor leave a gap after the first `from`, and an
    /// open-ended last rule; scope categories within 1..=4, each given once per declarant.
    pub fn from_toml(path: &str, text: &str) -> Result<Self, RulesError> {
        let file: DeadlinesFile = parse_toml(path, text)?;
        let error = |span: &Span, message: String| syntax_error(path, text, span, message);

        let mut rules: Vec<(DeadlineRule, Span)> = Vec::new();
        for raw in file.rules {
            let span = raw.span();
            let rule = raw.into_inner().check().map_err(|m| error(&span, m))?;
            rules.push((rule, span));
        }
        rules.sort_by_key(|(rule, _)| rule.from);
        for declarant in [DeclarantKind::OrganismeFormation, DeclarantKind::Employeur] {
            let own: Vec<&(DeadlineRule, Span)> = rules
                .iter()
                .filter(|(r, _)| r.declarant == declarant)
                .collect();
            check_periods(path, text, declarant, &own)?;
        }

        let mut scope: Vec<ScopeRule> = Vec::new();
        let mut covered: HashSet<(DeclarantKind, u8)> = HashSet::new();
        for raw in file.scope {
            let span = raw.span();
            let entry = raw.into_inner().check().map_err(|m| error(&span, m))?;
            for &category in &entry.categories {
                if !covered.insert((entry.declarant, category)) {
                    let declarant = entry.declarant.label();
                    return Err(error(
                        &span,
                        format!("catégorie {category} déjà couverte pour le déclarant {declarant}"),
                    ));
                }
            }
            scope.push(entry);
        }

        let (verification, fallback) =
            article7::parse(path, text, file.verification, file.fallback)?;
        Ok(Self {
            rules: rules.into_iter().map(|(rule, _)| rule).collect(),
            scope,
            verification,
            fallback,
        })
    }

    /// The rules embedded in the binary ([`DEADLINES_TOML`]).
    pub fn embedded() -> Result<Self, RulesError> {
        Self::from_toml(EMBEDDED_PATH, DEADLINES_TOML)
    }

    /// The rule that applies to `reference` for `declarant`, if any.
    pub fn rule_for(
        &self,
        declarant: DeclarantKind,
        reference: NaiveDate,
    ) -> Option<&DeadlineRule> {
        self.rules
            .iter()
            .find(|rule| rule.declarant == declarant && rule.covers(reference))
    }

    /// None: no obligation for a reference date before the declarant's first rule.
    pub fn due_date(&self, declarant: DeclarantKind, reference: NaiveDate) -> Option<NaiveDate> {
        self.rule_for(declarant, reference)?.due_date(reference)
    }

    /// Date from which trainings of `category` ending on/after it must be declared by `declarant` (None: never).
    pub fn mandatory_from(&self, declarant: DeclarantKind, category: u8) -> Option<NaiveDate> {
        Some(self.scope_rule(declarant, category)?.from)
    }

    /// The scope rule that makes `category` mandatory for `declarant`, with its source, if any.
    pub fn scope_rule(&self, declarant: DeclarantKind, category: u8) -> Option<&ScopeRule> {
        self.scope
            .iter()
            .find(|s| s.declarant == declarant && s.categories.contains(&category))
    }

    /// The first training end date from which `training` must be declared by `declarant`:
    /// `None` when it never must (excluded, or its category never in scope). For an unknown type
    /// (`None`), the earliest date of any category [I]: telling a user « à déclarer » costs less
    /// than hiding a declaration owed.
    pub fn first_end_in_scope(
        &self,
        declarant: DeclarantKind,
        training: Option<&TrainingType>,
    ) -> Option<NaiveDate> {
        match training {
            Some(training) if training.exclusion.is_some() => None,
            Some(training) => self.mandatory_from(declarant, training.category.get()),
            None => (1..=4)
                .filter_map(|category| self.mandatory_from(declarant, category))
                .min(),
        }
    }

    /// Whether a training must be declared and by when: excluded types never; otherwise its
    /// category must be in scope on the training's END date (`training_end`), and the deadline
    /// counts from `reference` (the end for an attestation, the validity start for a justificatif,
    /// [`reference_date`]). `training` is `None` when the type is unknown: then the answer is
    /// certain only when every category or none was mandatory on `training_end`.
    pub fn obligation<'a>(
        &'a self,
        declarant: DeclarantKind,
        training: Option<&'a TrainingType>,
        training_end: NaiveDate,
        reference: NaiveDate,
    ) -> Obligation<'a> {
        let Some(training) = training else {
            let mandatory: Vec<u8> = (1..=4)
                .filter(|&c| {
                    self.mandatory_from(declarant, c)
                        .is_some_and(|from| from <= training_end)
                })
                .collect();
            return match mandatory.len() {
                4 => self.in_scope(declarant, None, training_end, reference, Some(training_end)),
                0 => {
                    let first = (1..=4u8)
                        .filter_map(|c| self.scope_rule(declarant, c))
                        .min_by_key(|s| s.from);
                    Obligation::NotMandatory {
                        from: first.map(|s| s.from),
                        scope: first,
                    }
                }
                _ => {
                    let rule = self.rule_for(declarant, reference);
                    Obligation::CategoryUnknown {
                        mandatory,
                        due: rule.and_then(|r| r.due_date(reference)),
                        rule,
                    }
                }
            };
        };
        if let Some(exclusion) = &training.exclusion {
            return Obligation::Excluded(exclusion);
        }
        let scope = self.scope_rule(declarant, training.category.get());
        self.in_scope(
            declarant,
            scope,
            training_end,
            reference,
            scope.map(|s| s.from),
        )
    }

    /// The obligation of a training whose category is in scope from `from` (`None`: never).
    fn in_scope<'a>(
        &'a self,
        declarant: DeclarantKind,
        scope: Option<&'a ScopeRule>,
        training_end: NaiveDate,
        reference: NaiveDate,
        from: Option<NaiveDate>,
    ) -> Obligation<'a> {
        match from {
            Some(start) if start <= training_end => {
                let rule = self.rule_for(declarant, reference);
                match rule.and_then(|r| r.due_date(reference).map(|due| (due, r))) {
                    Some((due, rule)) => Obligation::Due { due, rule },
                    None => Obligation::NotMandatory {
                        from: self.first_rule_from(declarant),
                        scope: None,
                    },
                }
            }
            _ => Obligation::NotMandatory { from, scope },
        }
    }

    /// The first reference date with a deadline rule for `declarant`.
    fn first_rule_from(&self, declarant: DeclarantKind) -> Option<NaiveDate> {
        self.rules
            .iter()
            .filter(|r| r.declarant == declarant)
            .map(|r| r.from)
            .min()
    }
}

/// Byte range of an entry in a rules file.
type Span = std::ops::Range<usize>;

/// A [`RulesError::Syntax`] at the line where `span` starts.
fn syntax_error(path: &str, text: &str, span: &Span, message: String) -> RulesError {
    RulesError::Syntax {
        path: path.to_owned(),
        line: line_of(text, span.start),
        message,
    }
}

/// Checks one declarant's rules, sorted by `from`: at least one, each period starting the day
/// after the previous one ends (no overlap, no gap), and the last one open-ended.
fn check_periods(
    path: &str,
    text: &str,
    declarant: DeclarantKind,
    rules: &[&(DeadlineRule, Span)],
) -> Result<(), RulesError> {
    let Some((last, last_span)) = rules.last() else {
        return Err(RulesError::Invalid {
            path: path.to_owned(),
            message: format!(
                "aucune règle de délai pour le déclarant {}",
                declarant.label()
            ),
        });
    };
    for pair in rules.windows(2) {
        let ((before, before_span), (after, after_span)) = (pair[0], pair[1]);
        let before_line = line_of(text, before_span.start);
        let message = match before.until {
            None => format!("chevauche la règle sans fin de la ligne {before_line}"),
            Some(until) if after.from <= until => {
                format!("période qui chevauche celle de la règle de la ligne {before_line}")
            }
            Some(until) if until.succ_opt() != Some(after.from) => format!(
                "trou entre cette règle et celle de la ligne {before_line} : `from` doit être le \
                 lendemain du `until` précédent"
            ),
            Some(_) => continue,
        };
        return Err(syntax_error(path, text, after_span, message));
    }
    if last.until.is_some() {
        let message = format!(
            "la dernière règle du déclarant {} ne doit pas avoir de `until`",
            declarant.label()
        );
        return Err(syntax_error(path, text, last_span, message));
    }
    Ok(())
}

/// The last day of the calendar quarter of `date` (31 March, 30 June, 30 September, 31 December).
pub fn quarter_end(date: NaiveDate) -> NaiveDate {
    let last_month = date.month0() / 3 * 3 + 3;
    // Day 1 of a month of the same year always exists, so the fallback is never taken.
    date.with_day(1)
        .and_then(|d| d.with_month(last_month))
        .and_then(last_day_of_month)
        .unwrap_or(date)
}

/// The date a deadline counts from: the training end for an attestation de formation; the
/// validity start for a justificatif de réussite, or the training end while no validity start is
/// known (the earliest it can be, as `DATE_DEBUT_VALIDITE` ≥ `DATE_FIN_FORMATION`, domain.md §8).
pub fn reference_date(
    kind: DeclarationKind,
    training_end: NaiveDate,
    validity_start: Option<NaiveDate>,
) -> NaiveDate {
    match kind {
        DeclarationKind::Attestation => training_end,
        DeclarationKind::Justificatif => validity_start.unwrap_or(training_end),
    }
}

/// The last day of the month of `date`.
fn last_day_of_month(date: NaiveDate) -> Option<NaiveDate> {
    date.with_day(u32::from(date.num_days_in_month()))
}

/// The shape of the deadlines file, with the span of each entry for error lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlinesFile {
    rules: Vec<toml::Spanned<RawRule>>,
    #[serde(default)]
    scope: Vec<toml::Spanned<RawScope>>,
    #[serde(default)]
    verification: Vec<toml::Spanned<RawRule>>,
    #[serde(default)]
    fallback: Vec<toml::Spanned<article7::RawFallback>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    declarant: DeclarantKind,
    from: TomlDate,
    until: Option<TomlDate>,
    due_on: Option<TomlDate>,
    months_after_quarter_end: Option<u32>,
    source: String,
    note: Option<String>,
    #[serde(default)]
    confidence: Confidence,
}

impl RawRule {
    fn check(self) -> Result<DeadlineRule, String> {
        let from = self.from.0;
        let until = self.until.map(|d| d.0);
        if until.is_some_and(|until| until < from) {
            return Err("`until` est antérieur à `from`".to_owned());
        }
        let due = match (self.due_on, self.months_after_quarter_end) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(
                    "indiquer soit `due_on`, soit `months_after_quarter_end` (exactement un des deux)"
                        .to_owned(),
                );
            }
            (Some(TomlDate(date)), None) => {
                let Some(until) = until else {
                    return Err(
                        "une date limite fixe (`due_on`) demande une fin de période (`until`)"
                            .to_owned(),
                    );
                };
                if date < quarter_end(until) {
                    return Err(format!(
                        "`due_on` ({date}) tombe avant la fin du trimestre de `until` ({})",
                        quarter_end(until)
                    ));
                }
                Due::On(date)
            }
            (None, Some(months)) => {
                if !(1..=MAX_MONTHS_AFTER_QUARTER_END).contains(&months) {
                    return Err(format!(
                        "`months_after_quarter_end` = {months} hors de l'intervalle 1 à \
                         {MAX_MONTHS_AFTER_QUARTER_END}"
                    ));
                }
                Due::MonthsAfterQuarterEnd(months)
            }
        };
        check_source(&self.source)?;
        Ok(DeadlineRule {
            declarant: self.declarant,
            from,
            until,
            due,
            source: self.source,
            note: self.note,
            confidence: self.confidence,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScope {
    declarant: DeclarantKind,
    from: TomlDate,
    categories: Vec<u8>,
    source: String,
    note: Option<String>,
    #[serde(default)]
    confidence: Confidence,
}

impl RawScope {
    fn check(self) -> Result<ScopeRule, String> {
        if self.categories.is_empty() {
            return Err("`categories` est vide".to_owned());
        }
        if let Some(bad) = self.categories.iter().find(|c| !(1..=4).contains(*c)) {
            return Err(format!(
                "catégorie {bad} inconnue : la catégorie d'une formation va de 1 à 4"
            ));
        }
        check_source(&self.source)?;
        Ok(ScopeRule {
            declarant: self.declarant,
            from: self.from.0,
            categories: self.categories,
            source: self.source,
            note: self.note,
            confidence: self.confidence,
        })
    }
}

fn check_source(source: &str) -> Result<(), String> {
    if source.starts_with("https://") || source.starts_with("http://") {
        Ok(())
    } else {
        Err("la source doit être une URL http(s)".to_owned())
    }
}

/// A date in a rules file: a TOML local date (`2026-09-30`) or a string in the same format.
struct TomlDate(NaiveDate);

impl<'de> Deserialize<'de> for TomlDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TomlDateVisitor)
    }
}

struct TomlDateVisitor;

const DATE_EXPECTED: &str = "une date au format AAAA-MM-JJ, sans heure";

impl<'de> serde::de::Visitor<'de> for TomlDateVisitor {
    type Value = TomlDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(DATE_EXPECTED)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<TomlDate, E> {
        NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(TomlDate)
            .map_err(|_| E::custom(format!("« {value} » n'est pas {DATE_EXPECTED}")))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<TomlDate, A::Error> {
        use serde::de::Error;
        let datetime =
            toml::value::Datetime::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        match (datetime.date, datetime.time, datetime.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .map(TomlDate)
                    .ok_or_else(|| {
                        A::Error::custom(format!("{datetime} n'est pas une date valide"))
                    })
            }
            _ => Err(A::Error::custom(format!(
                "« {datetime} » n'est pas {DATE_EXPECTED}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OF: DeclarantKind = DeclarantKind::OrganismeFormation;
    const EMPLOYER: DeclarantKind = DeclarantKind::Employeur;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn rules() -> DeadlineRules {
        DeadlineRules::embedded().unwrap()
    }

    /// A minimal valid file: one rule per declarant, then `extra`.
    const MINIMAL: &str = "[[rules]]\ndeclarant = \"organisme_formation\"\nfrom = 2025-09-01\n\
        months_after_quarter_end = 3\nsource = \"https://example.org\"\n\n\
        [[rules]]\ndeclarant = \"employeur\"\nfrom = 2026-03-16\n\
        months_after_quarter_end = 6\nsource = \"https://example.org\"\n";

    fn syntax_line(text: &str) -> (usize, String) {
        match DeadlineRules::from_toml("d.toml", text) {
            Err(RulesError::Syntax { line, message, .. }) => (line, message),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn embedded_rules_parse() {
        let rules = rules();
        assert_eq!(rules.rules.len(), 5);
        assert_eq!(rules.scope.len(), 4);
    }

    #[test]
    fn quarter_ends() {
        assert_eq!(quarter_end(date(2026, 1, 1)), date(2026, 3, 31));
        assert_eq!(quarter_end(date(2026, 2, 28)), date(2026, 3, 31));
        assert_eq!(quarter_end(date(2026, 3, 31)), date(2026, 3, 31));
        assert_eq!(quarter_end(date(2026, 4, 1)), date(2026, 6, 30));
        assert_eq!(quarter_end(date(2026, 6, 30)), date(2026, 6, 30));
        assert_eq!(quarter_end(date(2026, 7, 1)), date(2026, 9, 30));
        assert_eq!(quarter_end(date(2026, 10, 1)), date(2026, 12, 31));
        assert_eq!(quarter_end(date(2024, 2, 29)), date(2024, 3, 31));
        assert_eq!(quarter_end(NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn of_before_september_2025_has_no_obligation() {
        assert_eq!(rules().due_date(OF, date(2025, 8, 31)), None);
        assert_eq!(rules().due_date(OF, date(2024, 12, 1)), None);
    }

    #[test]
    fn of_september_to_december_2025_is_due_30_september_2026() {
        for reference in [
            date(2025, 9, 1),
            date(2025, 9, 30),
            date(2025, 11, 15),
            date(2025, 12, 31),
        ] {
            assert_eq!(
                rules().due_date(OF, reference),
                Some(date(2026, 9, 30)),
                "{reference}"
            );
        }
    }

    #[test]
    fn of_2026_quarters_are_six_months_after_quarter_end() {
        let rules = rules();
        assert_eq!(
            rules.due_date(OF, date(2026, 1, 1)),
            Some(date(2026, 9, 30))
        );
        assert_eq!(
            rules.due_date(OF, date(2026, 3, 31)),
            Some(date(2026, 9, 30))
        );
        assert_eq!(
            rules.due_date(OF, date(2026, 4, 1)),
            Some(date(2026, 12, 31))
        );
        assert_eq!(
            rules.due_date(OF, date(2026, 6, 30)),
            Some(date(2026, 12, 31))
        );
        assert_eq!(
            rules.due_date(OF, date(2026, 7, 1)),
            Some(date(2027, 3, 31))
        );
        assert_eq!(
            rules.due_date(OF, date(2026, 9, 30)),
            Some(date(2027, 3, 31))
        );
        assert_eq!(
            rules.due_date(OF, date(2026, 10, 1)),
            Some(date(2027, 6, 30))
        );
        assert_eq!(
            rules.due_date(OF, date(2026, 12, 31)),
            Some(date(2027, 6, 30))
        );
    }

    #[test]
    fn of_from_2027_is_three_months_after_quarter_end() {
        let rules = rules();
        assert_eq!(
            rules.due_date(OF, date(2027, 1, 1)),
            Some(date(2027, 6, 30))
        );
        assert_eq!(
            rules.due_date(OF, date(2027, 5, 10)),
            Some(date(2027, 9, 30))
        );
        assert_eq!(
            rules.due_date(OF, date(2027, 8, 1)),
            Some(date(2027, 12, 31))
        );
        assert_eq!(
            rules.due_date(OF, date(2027, 11, 30)),
            Some(date(2028, 3, 31))
        );
        assert_eq!(
            rules.due_date(OF, date(2031, 2, 14)),
            Some(date(2031, 6, 30))
        );
    }

    #[test]
    fn employer_before_16_march_2026_has_no_obligation() {
        assert_eq!(rules().due_date(EMPLOYER, date(2026, 3, 15)), None);
        assert_eq!(rules().due_date(EMPLOYER, date(2025, 10, 1)), None);
    }

    #[test]
    fn employer_2026_is_nine_months_after_quarter_end() {
        let rules = rules();
        assert_eq!(
            rules.due_date(EMPLOYER, date(2026, 3, 16)),
            Some(date(2026, 12, 31))
        );
        assert_eq!(
            rules.due_date(EMPLOYER, date(2026, 3, 31)),
            Some(date(2026, 12, 31))
        );
        assert_eq!(
            rules.due_date(EMPLOYER, date(2026, 5, 1)),
            Some(date(2027, 3, 31))
        );
        assert_eq!(
            rules.due_date(EMPLOYER, date(2026, 8, 20)),
            Some(date(2027, 6, 30))
        );
        assert_eq!(
            rules.due_date(EMPLOYER, date(2026, 12, 31)),
            Some(date(2027, 9, 30))
        );
    }

    #[test]
    fn employer_from_2027_is_six_months_after_quarter_end() {
        let rules = rules();
        assert_eq!(
            rules.due_date(EMPLOYER, date(2027, 1, 1)),
            Some(date(2027, 9, 30))
        );
        assert_eq!(
            rules.due_date(EMPLOYER, date(2027, 4, 2)),
            Some(date(2027, 12, 31))
        );
        assert_eq!(
            rules.due_date(EMPLOYER, date(2027, 12, 1)),
            Some(date(2028, 6, 30))
        );
    }

    #[test]
    fn justificatif_counts_from_the_validity_start() {
        let rules = rules();
        let end = date(2026, 3, 30);
        let start = Some(date(2026, 4, 2));
        let attestation = reference_date(DeclarationKind::Attestation, end, start);
        let justificatif = reference_date(DeclarationKind::Justificatif, end, start);
        assert_eq!(attestation, end);
        assert_eq!(justificatif, date(2026, 4, 2));
        assert_eq!(rules.due_date(OF, attestation), Some(date(2026, 9, 30)));
        assert_eq!(rules.due_date(OF, justificatif), Some(date(2026, 12, 31)));
    }

    fn training(code: &str) -> TrainingType {
        crate::domain::training::Catalogue::embedded()
            .unwrap()
            .get(code)
            .unwrap()
            .clone()
    }

    #[test]
    fn scope_is_keyed_on_the_training_end_not_the_validity_start() {
        // Audit D-6: an OF JDR whose training ended 29/08/2025 with a validity from 02/09/2025 was
        // not mandatory (OPCO EP: trainings that END after the first day of obligation).
        let rules = rules();
        let caces = training("CACES_R489");
        let (end, start) = (date(2025, 8, 29), date(2025, 9, 2));
        let reference = reference_date(DeclarationKind::Justificatif, end, Some(start));
        let obligation = rules.obligation(OF, Some(&caces), end, reference);
        assert_eq!(
            obligation,
            Obligation::NotMandatory {
                from: Some(date(2025, 9, 1)),
                scope: rules.scope_rule(OF, 2),
            }
        );
        assert_eq!(obligation.due_date(), None);
        // Same for an employer JDR ended 10/03/2026, validity from 20/03/2026.
        let (end, start) = (date(2026, 3, 10), date(2026, 3, 20));
        let obligation = rules.obligation(EMPLOYER, Some(&caces), end, start);
        assert_eq!(obligation.due_date(), None);
        // Once in scope, the deadline counts from the validity start's quarter (§8).
        let (end, start) = (date(2026, 3, 30), date(2026, 4, 2));
        let obligation = rules.obligation(OF, Some(&caces), end, start);
        assert_eq!(obligation.due_date(), Some(date(2026, 12, 31)));
        assert!(
            obligation.explain().contains("31/12/2026"),
            "{}",
            obligation.explain()
        );
        assert_eq!(obligation.confidence(), Confidence::ThirdParty);
    }

    #[test]
    fn category_three_is_not_late_before_it_was_mandatory() {
        // Audit D-7 (1): an OF attestation « PRAP IBC » (cat. 3) ended 10/03/2026.
        let rules = rules();
        let prap = training("PRAP");
        let end = date(2026, 3, 10);
        let obligation = rules.obligation(OF, Some(&prap), end, end);
        assert_eq!(obligation.due_date(), None);
        assert!(matches!(
            obligation,
            Obligation::NotMandatory { from: Some(from), .. } if from == date(2026, 7, 1)
        ));
        assert!(
            obligation.explain().contains("01/07/2026"),
            "{}",
            obligation.explain()
        );
        // Ended 01/07/2026 (Q3): due 31/03/2027.
        let end = date(2026, 7, 1);
        assert_eq!(
            rules.obligation(OF, Some(&prap), end, end).due_date(),
            Some(date(2027, 3, 31))
        );
        // An employer's category 3 from 01/10/2026 only.
        let end = date(2026, 9, 30);
        assert_eq!(
            rules.obligation(EMPLOYER, Some(&prap), end, end).due_date(),
            None
        );
        let end = date(2026, 10, 1);
        assert_eq!(
            rules.obligation(EMPLOYER, Some(&prap), end, end).due_date(),
            Some(date(2027, 9, 30))
        );
    }

    #[test]
    fn excluded_trainings_are_never_due() {
        let rules = rules();
        for code in ["FORMATEUR_SST", "SSIAP_1", "SSIAP_3"] {
            let excluded = training(code);
            let end = date(2026, 11, 2);
            let obligation = rules.obligation(OF, Some(&excluded), end, end);
            assert!(matches!(obligation, Obligation::Excluded(_)), "{code}");
            assert_eq!(obligation.due_date(), None);
            assert!(obligation.explain().contains("art. 4-II"), "{code}");
            assert_eq!(rules.first_end_in_scope(OF, Some(&excluded)), None);
        }
    }

    #[test]
    fn an_unknown_category_is_said_rather_than_guessed() {
        let rules = rules();
        // On 10/03/2026 only categories 1 and 2 were mandatory for an OF.
        let end = date(2026, 3, 10);
        let obligation = rules.obligation(OF, None, end, end);
        assert_eq!(
            obligation,
            Obligation::CategoryUnknown {
                mandatory: vec![1, 2],
                due: Some(date(2026, 9, 30)),
                rule: rules.rule_for(OF, end),
            }
        );
        assert_eq!(obligation.due_date(), None);
        assert_eq!(obligation.shown_deadline(), Some(date(2026, 9, 30)));
        assert!(
            !obligation.is_late_on(date(2026, 12, 1)),
            "never late on a guess"
        );
        assert!(obligation.explain().contains("Catégorie inconnue"));
        // Every category is mandatory from 01/07/2026, none before 01/09/2025.
        let end = date(2026, 8, 3);
        assert_eq!(
            rules.obligation(OF, None, end, end).due_date(),
            Some(date(2027, 3, 31))
        );
        let end = date(2025, 8, 31);
        assert!(matches!(
            rules.obligation(OF, None, end, end),
            Obligation::NotMandatory { from: Some(from), .. } if from == date(2025, 9, 1)
        ));
        assert_eq!(rules.first_end_in_scope(OF, None), Some(date(2025, 9, 1)));
        assert_eq!(
            rules.first_end_in_scope(EMPLOYER, None),
            Some(date(2026, 3, 16))
        );
    }

    #[test]
    fn rules_carry_their_confidence_and_no_stale_citation() {
        let rules = rules();
        let of_2025 = rules.rule_for(OF, date(2025, 10, 15)).unwrap();
        assert_eq!(of_2025.confidence, Confidence::ThirdParty);
        assert!(of_2025.source.contains("quelles-sont-mes-obligations"));
        let of_2026 = rules.rule_for(OF, date(2026, 5, 20)).unwrap();
        assert!(of_2026.source.contains("quelles-sont-mes-obligations"));
        let employer_2027 = rules.rule_for(EMPLOYER, date(2027, 2, 1)).unwrap();
        assert_eq!(employer_2027.confidence, Confidence::ThirdParty);
        assert!(
            employer_2027
                .note
                .as_deref()
                .unwrap()
                .contains("À confirmer")
        );
        let of_cat3 = rules.scope_rule(OF, 3).unwrap();
        assert_eq!(of_cat3.confidence, Confidence::ThirdParty);
        assert!(of_cat3.source.contains("quelles-sont-mes-obligations"));
        assert!(!DEADLINES_TOML.contains("LEGIARTI000052037323"));
    }

    #[test]
    fn justificatif_without_validity_start_uses_the_training_end() {
        let end = date(2026, 5, 5);
        assert_eq!(
            reference_date(DeclarationKind::Justificatif, end, None),
            end
        );
    }

    #[test]
    fn scope_dates() {
        let rules = rules();
        assert_eq!(rules.mandatory_from(OF, 1), Some(date(2025, 9, 1)));
        assert_eq!(rules.mandatory_from(OF, 2), Some(date(2025, 9, 1)));
        assert_eq!(rules.mandatory_from(OF, 3), Some(date(2026, 7, 1)));
        assert_eq!(rules.mandatory_from(OF, 4), Some(date(2026, 7, 1)));
        assert_eq!(rules.mandatory_from(EMPLOYER, 1), Some(date(2026, 3, 16)));
        assert_eq!(rules.mandatory_from(EMPLOYER, 2), Some(date(2026, 3, 16)));
        assert_eq!(rules.mandatory_from(EMPLOYER, 3), Some(date(2026, 10, 1)));
        assert_eq!(rules.mandatory_from(EMPLOYER, 4), Some(date(2026, 10, 1)));
        assert_eq!(rules.mandatory_from(OF, 0), None);
        assert_eq!(rules.mandatory_from(EMPLOYER, 5), None);
    }

    #[test]
    fn rule_for_exposes_the_source() {
        let rules = rules();
        let rule = rules.rule_for(EMPLOYER, date(2026, 6, 1)).unwrap();
        assert_eq!(rule.due, Due::MonthsAfterQuarterEnd(9));
        assert!(rule.source.starts_with("https://"));
        assert!(rules.rule_for(EMPLOYER, date(2026, 1, 1)).is_none());
    }

    #[test]
    fn minimal_file_parses_and_string_dates_are_accepted() {
        let rules = DeadlineRules::from_toml("d.toml", MINIMAL).unwrap();
        assert_eq!(
            rules.due_date(OF, date(2025, 9, 1)),
            Some(date(2025, 12, 31))
        );
        assert_eq!(rules.mandatory_from(OF, 1), None);
        let quoted = MINIMAL.replace("from = 2025-09-01", "from = \"2025-09-01\"");
        let rules = DeadlineRules::from_toml("d.toml", &quoted).unwrap();
        assert_eq!(rules.due_date(OF, date(2025, 8, 31)), None);
        assert_eq!(
            rules.due_date(OF, date(2025, 9, 1)),
            Some(date(2025, 12, 31))
        );
    }

    #[test]
    fn malformed_date_names_its_line() {
        let (line, _) = syntax_line(&MINIMAL.replace("from = 2026-03-16", "from = 2026-02-30"));
        assert_eq!(line, 9);
        let (line, message) =
            syntax_line(&MINIMAL.replace("from = 2026-03-16", "from = \"16/03/2026\""));
        assert_eq!(line, 9);
        assert!(message.contains("AAAA-MM-JJ"), "{message}");
        let (line, message) =
            syntax_line(&MINIMAL.replace("from = 2026-03-16", "from = 2026-03-16T10:00:00"));
        assert_eq!(line, 9);
        assert!(message.contains("sans heure"), "{message}");
    }

    #[test]
    fn malformed_toml_names_its_line() {
        let (line, _) = syntax_line(&MINIMAL.replace(
            "months_after_quarter_end = 6",
            "months_after_quarter_end = ",
        ));
        assert_eq!(line, 10);
        let (line, _) =
            syntax_line(&MINIMAL.replace("declarant = \"employeur\"", "declarant = \"salarie\""));
        assert_eq!(line, 8);
    }

    #[test]
    fn both_or_neither_due_names_the_rule() {
        let both = MINIMAL.replace(
            "months_after_quarter_end = 6",
            "months_after_quarter_end = 6\nuntil = 2026-12-31\ndue_on = 2027-06-30",
        );
        let (line, message) = syntax_line(&both);
        assert_eq!(line, 7);
        assert!(message.contains("exactement un"), "{message}");
        let neither = MINIMAL.replace("months_after_quarter_end = 6\n", "");
        assert_eq!(syntax_line(&neither).0, 7);
    }

    #[test]
    fn months_out_of_range_is_rejected() {
        let text = MINIMAL.replace(
            "months_after_quarter_end = 3",
            "months_after_quarter_end = 0",
        );
        assert_eq!(syntax_line(&text).0, 1);
        let text = MINIMAL.replace(
            "months_after_quarter_end = 3",
            "months_after_quarter_end = 25",
        );
        assert_eq!(syntax_line(&text).0, 1);
    }

    #[test]
    fn fixed_due_date_needs_an_end_and_must_follow_it() {
        let open = MINIMAL.replace("months_after_quarter_end = 3", "due_on = 2026-09-30");
        assert_eq!(syntax_line(&open).0, 1);
        let early = format!(
            "{MINIMAL}\n[[rules]]\ndeclarant = \"organisme_formation\"\nfrom = 2024-01-01\n\
             until = 2025-08-31\ndue_on = 2025-08-31\nsource = \"https://example.org\"\n"
        );
        let (line, message) = syntax_line(&early);
        assert_eq!(line, 13);
        assert!(message.contains("fin du trimestre"), "{message}");
    }

    #[test]
    fn until_before_from_is_rejected() {
        let text = format!(
            "{MINIMAL}\n[[rules]]\ndeclarant = \"employeur\"\nfrom = 2025-01-01\n\
             until = 2024-12-31\nmonths_after_quarter_end = 6\nsource = \"https://example.org\"\n"
        );
        assert_eq!(syntax_line(&text).0, 13);
    }

    #[test]
    fn overlapping_rules_are_rejected() {
        let bounded = MINIMAL.replace(
            "from = 2025-09-01\n",
            "from = 2025-09-01\nuntil = 2026-12-31\n",
        );
        let text = format!(
            "{bounded}\n[[rules]]\ndeclarant = \"organisme_formation\"\nfrom = 2026-06-01\n\
             months_after_quarter_end = 3\nsource = \"https://example.org\"\n"
        );
        let (line, message) = syntax_line(&text);
        assert_eq!(line, 14);
        assert!(message.contains("chevauche"), "{message}");
        assert!(message.contains("ligne 1"), "{message}");
    }

    #[test]
    fn open_ended_rule_followed_by_another_overlaps() {
        let text = format!(
            "{MINIMAL}\n[[rules]]\ndeclarant = \"employeur\"\nfrom = 2027-01-01\n\
             months_after_quarter_end = 6\nsource = \"https://example.org\"\n"
        );
        let (line, message) = syntax_line(&text);
        assert_eq!(line, 13);
        assert!(message.contains("sans fin de la ligne 7"), "{message}");
    }

    #[test]
    fn gap_between_rules_is_rejected() {
        let bounded = MINIMAL.replace(
            "from = 2025-09-01\n",
            "from = 2025-09-01\nuntil = 2025-12-31\n",
        );
        let text = format!(
            "{bounded}\n[[rules]]\ndeclarant = \"organisme_formation\"\nfrom = 2026-01-02\n\
             months_after_quarter_end = 3\nsource = \"https://example.org\"\n"
        );
        let (line, message) = syntax_line(&text);
        assert_eq!(line, 14);
        assert!(message.contains("trou"), "{message}");
        let contiguous = text.replace("from = 2026-01-02", "from = 2026-01-01");
        assert!(DeadlineRules::from_toml("d.toml", &contiguous).is_ok());
    }

    #[test]
    fn last_rule_must_be_open_ended() {
        let text = MINIMAL.replace(
            "from = 2026-03-16\n",
            "from = 2026-03-16\nuntil = 2026-12-31\n",
        );
        let (line, message) = syntax_line(&text);
        assert_eq!(line, 7);
        assert!(message.contains("until"), "{message}");
    }

    #[test]
    fn a_declarant_without_rules_is_invalid() {
        let text = MINIMAL.replace(
            "declarant = \"employeur\"",
            "declarant = \"organisme_formation\"",
        );
        let text = text.replace("from = 2026-03-16", "from = 2020-01-01\nuntil = 2025-08-31");
        let result = DeadlineRules::from_toml("d.toml", &text);
        match result {
            Err(RulesError::Invalid { message, .. }) => {
                assert!(message.contains("employeur"), "{message}")
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn bad_scope_is_rejected() {
        let scope = |categories: &str| {
            format!(
                "{MINIMAL}\n[[scope]]\ndeclarant = \"employeur\"\nfrom = 2026-03-16\n\
                 categories = {categories}\nsource = \"https://example.org\"\n"
            )
        };
        assert!(DeadlineRules::from_toml("d.toml", &scope("[1, 2]")).is_ok());
        assert_eq!(syntax_line(&scope("[5]")).0, 13);
        assert_eq!(syntax_line(&scope("[]")).0, 13);
        assert_eq!(syntax_line(&scope("[2, 2]")).0, 13);
        let twice = format!(
            "{}\n[[scope]]\ndeclarant = \"employeur\"\nfrom = 2026-10-01\ncategories = [2, 3]\n\
             source = \"https://example.org\"\n",
            scope("[1, 2]")
        );
        let (line, message) = syntax_line(&twice);
        assert_eq!(line, 19);
        assert!(message.contains("catégorie 2"), "{message}");
    }

    #[test]
    fn source_must_be_a_url() {
        let text = MINIMAL.replacen("https://example.org", "décret", 1);
        assert_eq!(syntax_line(&text).0, 1);
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (2020i32..2035, 1u32..=366).prop_map(|(y, ordinal)| {
            NaiveDate::from_yo_opt(y, ordinal)
                .or_else(|| NaiveDate::from_yo_opt(y, 365))
                .unwrap()
        })
    }

    proptest! {
        #[test]
        fn quarter_end_is_the_last_day_of_the_quarter(d in any_date()) {
            let end = quarter_end(d);
            prop_assert!(end >= d);
            prop_assert_eq!(end.year(), d.year());
            prop_assert_eq!(end.month() % 3, 0);
            prop_assert!((end - d).num_days() < 92);
            prop_assert_eq!(end.succ_opt().unwrap().day(), 1);
            prop_assert_eq!(quarter_end(end), end);
        }

        #[test]
        fn due_dates_are_month_ends_after_the_quarter_and_never_go_back(
            a in any_date(),
            b in any_date(),
            employer in any::<bool>(),
        ) {
            let declarant = if employer { EMPLOYER } else { OF };
            let rules = rules();
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            if let Some(due) = rules.due_date(declarant, early) {
                prop_assert!(due > quarter_end(early));
                prop_assert_eq!(due.succ_opt().unwrap().day(), 1);
                let later_due = rules.due_date(declarant, late);
                prop_assert!(later_due.is_some_and(|l| l >= due), "{} → {:?}", late, later_due);
            }
        }
    }
}
