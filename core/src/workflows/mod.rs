//! What volunteers and leads do, one folder per workflow, in their words. Each holds its pure
//! logic (no I/O, tested alone) beside its `impl Store` half (one action, one transaction),
//! and uses the store's kernel (`crate::store`); the kernel never uses a workflow.
//!
//! | folder | what a person does there |
//! |---|---|
//! | [`antenna`] | founds an antenna, joins it, adds members |
//! | [`households`] | registers a household, edits it, keeps its case (needs, limiting factors, plan, notes, referrals, grievances), lists and searches households |
//! | [`follow_up`] | answers grievances, follows referrals up |
//! | [`duplicates`] | reviews possible duplicates, merges a family registered twice |
//! | [`ledger`] | records donations and deliveries, sees balances and stock, resolves over-allocations, delivers by code |
//! | [`tasks`] | assigns visits, calls and deliveries; does their own, most urgent first |
//! | [`report`] | publishes the transparency report for donors |
//! | [`handover`] | hands consenting households over to the municipality |
//! | [`directory`] | keeps the directory of providers, imports and exports it in Open Referral HSDS |
//! | [`erasure`] | erases a household on every device |
//! | [`other_antennas`] | checks, without sharing identities, which households other antennas also help |
//! | [`overview`] | sees the antenna at a glance |

pub mod antenna;
pub mod directory;
pub mod duplicates;
pub mod erasure;
pub mod follow_up;
pub mod handover;
pub mod households;
pub mod ledger;
pub mod other_antennas;
pub mod overview;
pub mod report;
pub mod tasks;
