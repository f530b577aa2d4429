// Package apple builds and signs Apple Wallet passes (.pkpass): the store card
// a member carries, with the QR code that staff scan at the till.
//
// A pass is a zip archive holding pass.json, the images, one
// <language>.lproj/pass.strings file per language, manifest.json (the SHA-1 of
// every other file, as Wallet requires) and signature, a detached PKCS #7
// signature of manifest.json made with the Pass Type ID certificate and
// carrying Apple's WWDR intermediate certificate.
//
// A [Builder] is made once per process: it hashes and compresses each tier's
// images the first time that tier is asked for, so that building a pass for a
// member only renders pass.json, the manifest and the signature. The RSA
// signature is most of that cost.
//
// The certificates come from Apple's developer portal in production
// ([LoadSigner], [ParseSigner]) and from [DevChain] on a laptop, which lays out
// a root, a WWDR-like intermediate and a pass certificate the way Apple does,
// so that the same code path signs both. Passes signed with the development
// chain verify with its root.pem but no iPhone will accept them: Wallet
// trusts only Apple's root.
package apple

// ContentType is the media type under which a .pkpass is served, so that
// Safari and Mail offer to add it to Wallet.
const ContentType = "application/vnd.apple.pkpass"
