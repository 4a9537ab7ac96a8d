//! Charts as SVG and PNG with Hebrew labels laid out right to left.
