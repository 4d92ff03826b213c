//! The employer's part in a training organisation's declaration (décret 2022-1712 art. 7), as
//! dated rules of `assets/deadlines.toml`:
//! - `[[verification]]` (art. 7-I, LEGIARTI000052037481 [C]): how long after the reference quarter
//!   the employer may ask the OF to correct or complete its declaration, after which the declaration
//!   is deemed verified (« réputée vérifiée »); same fields as `[[rules]]`, for the employer;
//! - `[[fallback]]` (art. 7-II [C]): when the OF has not declared by its deadline, the employer
//!   records the training within `months_after_of_deadline` months after that deadline.
//!
//! Both run through the transition of décret 2025-748 (+3 months until the bulk import, at the
//! latest 31/12/2026) whose end date the project has not read: their rows are flagged « à
//! confirmer » in the data.

use chrono::{Months, NaiveDate};
use serde::Deserialize;

use super::{
    DeadlineRule, DeadlineRules, RawRule, Span, TomlDate, check_periods, check_source,
    last_day_of_month, syntax_error,
};
use crate::domain::DeclarantKind;
use crate::domain::training::Confidence;
use crate::rules::RulesError;

/// Longest delay accepted after the OF's deadline, in months.
const MAX_MONTHS_AFTER_OF_DEADLINE: u32 = 24;

/// Art. 7-II: the employer's deadline when the OF has not declared, for the trainings whose
/// reference date falls in `from..=until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FallbackRule {
    /// First reference date covered.
    pub from: NaiveDate,
    /// Last reference date covered; `None` for the last, open-ended rule.
    pub until: Option<NaiveDate>,
    /// The employer's deadline is the last day of the month reached this many months after the
    /// OF's deadline.
    pub months_after_of_deadline: u32,
    /// URL of the source.
    pub source: String,
    /// Remark in French.
    pub note: Option<String>,
    /// How firmly the rule rests on its source.
    pub confidence: Confidence,
}

impl FallbackRule {
    /// The employer's deadline after the OF's deadline `of_due` (`None` only on overflow).
    pub fn due_date(&self, of_due: NaiveDate) -> Option<NaiveDate> {
        of_due
            .checked_add_months(Months::new(self.months_after_of_deadline))
            .and_then(last_day_of_month)
    }

    fn covers(&self, reference: NaiveDate) -> bool {
        self.from <= reference && self.until.is_none_or(|until| reference <= until)
    }
}

/// A `[[fallback]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFallback {
    from: TomlDate,
    until: Option<TomlDate>,
    months_after_of_deadline: u32,
    source: String,
    note: Option<String>,
    #[serde(default)]
    confidence: Confidence,
}

/// The checked rules of art. 7.
pub(super) type Article7 = (Vec<DeadlineRule>, Vec<FallbackRule>);

/// Checks the `[[verification]]` entries (employer rules, periods in sequence, open-ended last)
/// and the `[[fallback]]` ones (a delay of 1 to 24 months, an http(s) source, no overlap).
pub(super) fn parse(
    path: &str,
    text: &str,
    verification: Vec<toml::Spanned<RawRule>>,
    fallback: Vec<toml::Spanned<RawFallback>>,
) -> Result<Article7, RulesError> {
    let error = |span: &Span, message: String| syntax_error(path, text, span, message);
    let mut checked: Vec<(DeadlineRule, Span)> = Vec::new();
    for raw in verification {
        let span = raw.span();
        let rule = raw.into_inner().check().map_err(|m| error(&span, m))?;
        if rule.declarant != DeclarantKind::Employeur {
            return Err(error(
                &span,
                "la vérification de l'art. 7-I est celle de l'employeur : `declarant = \"employeur\"`"
                    .to_owned(),
            ));
        }
        checked.push((rule, span));
    }
    checked.sort_by_key(|(rule, _)| rule.from);
    if !checked.is_empty() {
        let own: Vec<&(DeadlineRule, Span)> = checked.iter().collect();
        check_periods(path, text, DeclarantKind::Employeur, &own)?;
    }

    let mut fallbacks: Vec<FallbackRule> = Vec::new();
    for raw in fallback {
        let span = raw.span();
        let raw = raw.into_inner();
        let rule = FallbackRule {
            from: raw.from.0,
            until: raw.until.map(|d| d.0),
            months_after_of_deadline: raw.months_after_of_deadline,
            source: raw.source,
            note: raw.note,
            confidence: raw.confidence,
        };
        let problem = if rule.until.is_some_and(|until| until < rule.from) {
            Some("`until` est antérieur à `from`".to_owned())
        } else if !(1..=MAX_MONTHS_AFTER_OF_DEADLINE).contains(&rule.months_after_of_deadline) {
            Some(format!(
                "`months_after_of_deadline` = {} hors de l'intervalle 1 à {MAX_MONTHS_AFTER_OF_DEADLINE}",
                rule.months_after_of_deadline
            ))
        } else if fallbacks
            .iter()
            .any(|f| f.covers(rule.from) || rule.covers(f.from))
        {
            Some("période qui chevauche celle d'une autre règle `[[fallback]]`".to_owned())
        } else {
            check_source(&rule.source).err()
        };
        if let Some(message) = problem {
            return Err(error(&span, message));
        }
        fallbacks.push(rule);
    }
    Ok((
        checked.into_iter().map(|(rule, _)| rule).collect(),
        fallbacks,
    ))
}

impl DeadlineRules {
    /// Art. 7-I: the rule giving the last day the employer may ask the OF to correct a declaration
    /// of reference date `reference`, if any.
    pub fn verification_rule(&self, reference: NaiveDate) -> Option<&DeadlineRule> {
        self.verification.iter().find(|rule| rule.covers(reference))
    }

    /// Art. 7-II: the rule giving the employer's deadline when the OF has not declared a training
    /// of reference date `reference`, if any.
    pub fn fallback_rule(&self, reference: NaiveDate) -> Option<&FallbackRule> {
        self.fallback.iter().find(|rule| rule.covers(reference))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn verification_window_follows_the_transition_then_six_months() {
        let rules = DeadlineRules::embedded().unwrap();
        // Q2 2026: 6 months + 3 of transition after 30/06/2026 → 31/03/2027 (art. 7-I [C]).
        let q2 = rules.verification_rule(day(2026, 5, 20)).unwrap();
        assert_eq!(q2.due_date(day(2026, 5, 20)), Some(day(2027, 3, 31)));
        assert!(
            q2.note
                .as_deref()
                .unwrap_or_default()
                .to_lowercase()
                .contains("à confirmer")
        );
        // Q1 2027: 6 months after 31/03/2027 → 30/09/2027.
        let q1 = rules.verification_rule(day(2027, 2, 1)).unwrap();
        assert_eq!(q1.due_date(day(2027, 2, 1)), Some(day(2027, 9, 30)));
        assert_eq!(rules.verification_rule(day(2025, 8, 31)), None);
    }

    #[test]
    fn fallback_gives_nine_months_after_the_of_deadline() {
        let rules = DeadlineRules::embedded().unwrap();
        let reference = day(2026, 5, 20);
        let of_due = rules
            .due_date(DeclarantKind::OrganismeFormation, reference)
            .unwrap();
        assert_eq!(of_due, day(2026, 12, 31));
        let rule = rules.fallback_rule(reference).unwrap();
        assert_eq!(rule.due_date(of_due), Some(day(2027, 9, 30)));
        assert!(
            rule.note
                .as_deref()
                .unwrap_or_default()
                .to_lowercase()
                .contains("à confirmer")
        );
    }

    #[test]
    fn bad_article_7_rows_are_refused_with_their_line() {
        let base = crate::domain::deadline::DEADLINES_TOML;
        let overlap = format!(
            "{base}\n[[fallback]]\nfrom = 2026-01-01\nmonths_after_of_deadline = 9\nsource = \"https://example.org\"\n"
        );
        let err = DeadlineRules::from_toml("d.toml", &overlap)
            .unwrap_err()
            .to_string();
        assert!(err.contains("chevauche"), "{err}");
        let of = base.replacen(
            "[[verification]]\ndeclarant = \"employeur\"",
            "[[verification]]\ndeclarant = \"organisme_formation\"",
            1,
        );
        let err = DeadlineRules::from_toml("d.toml", &of)
            .unwrap_err()
            .to_string();
        assert!(err.contains("celle de l'employeur"), "{err}");
    }
}
