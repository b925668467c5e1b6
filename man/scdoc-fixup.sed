# SPDX-License-Identifier: BSD-3-Clause
# Applied by man/meson.build to what scdoc writes.
#
# scdoc 1.11.2 (Debian 12) turns off hyphenation and justification before
# .TH, where the man macros turn them on again: repeat both after it, so
# that groff does not hyphenate an option name ("--in-mem" / "ory").
/^\.TH /a\
.nh\
.ad l
# scdoc writes "-" as it is, a hyphen, after which groff may break a line
# ("--match-" / "allocations"). In text lines make it "\-", the minus sign
# that roff uses for options, which renders the same and never breaks;
# except inside the \h'-04' of scdoc's list bullets.
/^[.']/!{
	s/-/\\-/g
	s/\\h'\\-/\\h'-/g
}
