//! tamlil: Hebrew interview transcripts -> meaning units -> codings -> tables, charts and a QDA project.
//!
//! Data flows one way: [`corpus`] reads documents, [`text`] splits them into speaker
//! turns and meaning units, [`codebook`] and [`coding`] assign codes to units, and the
//! later stages tally and report. Each stage's output is a plain type that can be
//! written to disk and read back.

pub mod agree;
pub mod cache;
pub mod cmd;
pub mod codebook;
pub mod coded;
pub mod coding;
pub mod corpus;
pub mod csvfield;
pub mod diagnose;
pub mod error;
pub mod hash;
pub mod job;
pub mod learn;
pub mod output;
pub mod pipeline;
pub mod qda;
pub mod redact;
pub mod report;
pub mod review;
pub mod tally;
pub mod text;
pub mod timing;
pub mod unitfile;
