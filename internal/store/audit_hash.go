package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// auditHashDomain opens every encoded entry, so that a change to the encoding is a new domain
// and an audit hash can never collide with a hash of anything else.
const auditHashDomain = "openiep/audit/v1"

// ComputeHash returns the hex SHA-256 of the entry's canonical encoding: every field except Hash,
// in a fixed order, each as a netstring ("<length>:<bytes>,"), so that no two different entries
// encode alike whatever their fields contain. Seq is written in decimal and At in UTC to the
// microsecond (RFC 3339, six fraction digits), the precision both engines keep. It depends on
// nothing but the entry: the chain's link to the entry before is PrevHash.
func (e *AuditEntry) ComputeHash() string {
	h := sha256.New()
	buf := make([]byte, 0, 512)
	for _, f := range [...]string{
		auditHashDomain,
		e.DistrictID,
		strconv.FormatInt(e.Seq, 10),
		e.ID,
		e.At.UTC().Truncate(time.Microsecond).Format(instantLayout),
		e.ActorKind,
		e.ActorID,
		e.Action,
		e.RecordKind,
		e.RecordID,
		e.StudentID,
		e.FromAddress,
		e.Reason,
		e.PrevHash,
	} {
		buf = strconv.AppendInt(buf, int64(len(f)), 10)
		buf = append(buf, ':')
		buf = append(buf, f...)
		buf = append(buf, ',')
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}
