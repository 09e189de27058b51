//! Inputs: enumerating files under the given paths and sniffing what they are.

pub mod decompress;
pub mod directives;
pub mod sniff;
pub mod utf16;
pub mod walk;

pub use walk::{Target, WalkOptions, enumerate};
