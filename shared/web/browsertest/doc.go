// Package browsertest drives Fidelio's two web pages, the join page and the
// staff's till, in Debian's Chromium against the local stack: a member joins
// through the form and gets working wallet links, and the till reads a
// member's card through a fake camera that plays a video of its QR code,
// awards points and redeems rewards, and survives a lost answer without
// awarding twice. The tests write phone-sized screenshots of both pages.
//
// It holds tests only. They need Chromium (apt-get install chromium) and the
// QR decoder copied from npm (npm ci --prefix shared/web); without either
// they fail and say which.
package browsertest
