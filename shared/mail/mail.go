// Package mail sends the program's emails to members through one port,
// Mailer: Amazon SES v2 in AWS (SES), an outbox folder on a laptop (Outbox).
// The messages themselves (the welcome, the sign-in link, the confirmation
// of a new address) are written here, in English and French.
package mail

import (
	"context"
	"strings"
)

// Message is one plain-text email to one member.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// Kind names the message ("welcome", "sign-in", "email-change"), for
	// the outbox's list and the logs; the member never sees it.
	Kind string `json:"kind"`
}

// Mailer sends a message. An error means it was not sent (or may not have
// been): the caller says so, it never pretends.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// texts are the words of each message, English then French; {program},
// {name} and {link} are replaced.
var texts = map[string][2][2]string{
	"welcome": {
		{"Welcome to {program}", "Hello {name},\n\nWelcome to {program}. Your card and your member space are one tap away:\n\n{link}\n\nThe link signs you in on this phone; keep this email to open your member space again from another one.\n"},
		{"Bienvenue chez {program}", "Bonjour {name},\n\nBienvenue chez {program}. Votre carte et votre espace membre sont à portée de main :\n\n{link}\n\nCe lien vous connecte sur ce téléphone ; gardez cet e-mail pour ouvrir votre espace membre depuis un autre.\n"},
	},
	"sign-in": {
		{"Your sign-in link for {program}", "Hello {name},\n\nOpen this link within 15 minutes to reach your member space:\n\n{link}\n\nIf you did not ask for it, ignore this email: nobody can sign in without the link.\n"},
		{"Votre lien de connexion {program}", "Bonjour {name},\n\nOuvrez ce lien dans les 15 minutes pour accéder à votre espace membre :\n\n{link}\n\nSi vous ne l'avez pas demandé, ignorez cet e-mail : personne ne peut se connecter sans ce lien.\n"},
	},
	"email-change": {
		{"Confirm your new email for {program}", "Hello {name},\n\nTo receive {program}'s emails at this address, confirm it within 24 hours:\n\n{link}\n\nIf you did not ask for it, ignore this email: your address stays as it was.\n"},
		{"Confirmez votre nouvel e-mail pour {program}", "Bonjour {name},\n\nPour recevoir les e-mails de {program} à cette adresse, confirmez-la dans les 24 heures :\n\n{link}\n\nSi vous ne l'avez pas demandé, ignorez cet e-mail : votre adresse reste la même.\n"},
	},
}

// Compose writes the message of kind ("welcome", "sign-in",
// "email-change") to a member in their language ("fr" for French,
// anything else English).
func Compose(kind, locale, to, name, program, link string) Message {
	lang := 0
	if strings.HasPrefix(strings.ToLower(locale), "fr") {
		lang = 1
	}
	t := texts[kind][lang]
	r := strings.NewReplacer("{program}", program, "{name}", name, "{link}", link)
	return Message{To: to, Subject: r.Replace(t[0]), Text: r.Replace(t[1]), Kind: kind}
}
