// Command godocompat replays, through godo (the Go client the Pulumi DigitalOcean provider vendors),
// the call sequences the provider makes (docs: do-api-behaviors.md), family by family, against an
// emulator URL. Every response must decode into godo's types and carry what the provider reads.
//
// Usage: godocompat -url http://127.0.0.1:PORT
//
// The emulator must be fresh (or reset) with at least 5 droplets seeded (the pagination walk wants 3+
// pages of 2); any lifecycle delay works, zero runs in about a second. The program seeds registry
// images and injects faults through the control API itself. The first failed check prints
// "FAIL <family>: <what differed>" and exits 1; success prints "OK <n> checks".
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"
)

// An ssh-ed25519 public key (the emulator's fingerprint is the MD5 of the decoded blob, as the API's).
const publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb3Dk5Yl8Vq2c0x0yq0bqkZ0x6mXb8cQpYgDkq1Vh3T godo-compat"

const (
	waitLimit = 30 * time.Second
	pollEvery = 20 * time.Millisecond
)

var (
	ctx     = context.Background()
	checks  int
	family  string
	baseURL string
)

func fail(format string, args ...any) {
	fmt.Printf("FAIL %s: %s\n", family, fmt.Sprintf(format, args...))
	os.Exit(1)
}

// check counts one assertion and stops the run at the first one that does not hold.
func check(cond bool, format string, args ...any) {
	checks++
	if !cond {
		fail(format, args...)
	}
}

// must unwraps a godo call that has to succeed, naming the call on failure.
func must[T any](what string) func(T, *godo.Response, error) T {
	return func(v T, _ *godo.Response, err error) T {
		checks++
		if err != nil {
			fail("%s: %v", what, err)
		}
		if rv := reflect.ValueOf(&v).Elem(); rv.Kind() == reflect.Pointer && rv.IsNil() {
			fail("%s: decoded to nil (wrong or missing envelope key)", what)
		}
		return v
	}
}

func ok(what string, _ *godo.Response, err error) {
	checks++
	if err != nil {
		fail("%s: %v", what, err)
	}
}

// gone asserts the call failed with 404, as the provider's Reads expect after a delete.
func gone(what string, resp *godo.Response, err error) {
	checks++
	if err == nil {
		fail("%s: expected 404 after delete, got success", what)
	}
	if resp == nil || resp.StatusCode != http.StatusNotFound {
		fail("%s: expected 404 after delete, got %v", what, err)
	}
}

func errorContains(what string, err error, status int, text string) {
	checks++
	var er *godo.ErrorResponse
	if !errors.As(err, &er) {
		fail("%s: expected a %d error containing %q, got %v", what, status, text, err)
	}
	if er.Response.StatusCode != status || !strings.Contains(err.Error(), text) {
		fail("%s: expected a %d error containing %q, got %v", what, status, text, err)
	}
	if er.RequestID == "" {
		fail("%s: error body without request_id: %v", what, err)
	}
}

// waitAction polls the global /v2/actions/{id} until completed_at is set, as util.WaitForAction does.
func waitAction(c *godo.Client, a *godo.Action, what string) {
	check(a != nil && a.ID >= 1, "%s: action id must be >= 1, got %+v", what, a)
	start := checks // however many polls it takes, a wait counts as one check
	defer func() { checks = start + 1 }()
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline); {
		got := must[*godo.Action](what + ": GET /v2/actions/{id}")(c.Actions.Get(ctx, a.ID))
		check(got.Status != "errored", "%s: action errored", what)
		if got.CompletedAt != nil {
			check(got.Status == "completed", "%s: completed_at set but status %q", what, got.Status)
			return
		}
		time.Sleep(pollEvery)
	}
	fail("%s: action %d never completed", what, a.ID)
}

// poll re-reads until done() or fails after waitLimit. The suite runs in about a second with a zero
// lifecycle delay and in about 25 s with a 1 s delay (every transition then goes through its
// intermediate states, which the checks inside done() must accept).
func poll(what string, done func() bool) {
	start := checks
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline); {
		if done() {
			checks = start + 1
			return
		}
		time.Sleep(pollEvery)
	}
	fail("%s: never reached the target state", what)
}

func main() {
	flag.StringVar(&baseURL, "url", "", "emulator base URL, e.g. http://127.0.0.1:8080")
	flag.Parse()
	if baseURL == "" {
		fmt.Println("FAIL setup: -url is required")
		os.Exit(2)
	}
	c := newClient()

	retries(c)
	key := accountAndKeys(c)
	catalog(c)
	vpc := vpcs(c)
	d := droplets(c, key, vpc)
	pagination(c)
	tags(c, d)
	vol := volumes(c, d)
	projects(c, d, vol)
	firewalls(c, d)
	domain := domains(c)
	cert := certificates(c, domain)
	loadBalancers(c, d, cert)
	monitoring(c, d)
	uptime(c)
	databases(c)
	kubernetes(c, vpc)
	registry(c)
	apps(c)
	cleanup(c, d, vol, vpc, domain, cert)
	fmt.Printf("OK %d checks\n", checks)
}

// newClient builds godo as the provider's config.go does: an oauth2 static-token client, retries through
// WithRetryAndBackoffs (go-retryablehttp; the provider's default is 4 retries, here with short waits),
// and the endpoint override. The emulator accepts any non-empty token.
func newClient() *godo.Client {
	client := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "godo-compat-token"}))
	retry := godo.RetryConfig{RetryMax: 4, RetryWaitMin: godo.PtrTo(0.01), RetryWaitMax: godo.PtrTo(0.05)}
	out, err := godo.New(client, godo.WithRetryAndBackoffs(retry), godo.SetUserAgent("godo-compat"), godo.SetBaseURL(baseURL))
	if err != nil {
		fmt.Println("FAIL setup:", err)
		os.Exit(2)
	}
	return out
}

// control calls the emulator's control API (faults, seeds, settings), outside godo.
func control(path string, payload any) { controlMethod(http.MethodPost, path, payload) }

func controlMethod(method, path string, payload any) map[string]any {
	body, _ := json.Marshal(payload)
	req, _ := http.NewRequest(method, baseURL+"/_emulator"+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	check(err == nil && resp.StatusCode < 300, "control API %s %s: %v %v", method, path, err, resp)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out
}

func faultID(created map[string]any) float64 {
	fault, _ := created["fault"].(map[string]any)
	id, _ := fault["id"].(float64)
	check(id >= 1, "control API answered no fault id: %v", created)
	return id
}

// retries: a 429 storm and a 503 on a POST are ridden out by the retrying client, as in the provider.
func retries(c *godo.Client) {
	family = "retries"
	storm := controlMethod(http.MethodPost, "/faults", map[string]any{"match": `^GET /v2/account\?`, "status": 429, "count": 2, "retry_after": 0})
	acct, resp, err := c.Account.Get(ctx)
	ok("GET /v2/account through two 429s", resp, err)
	check(acct != nil && acct.UUID != "", "account after retries: %+v", acct)
	check(resp.Rate.Limit > 0 && resp.Rate.Remaining > 0 && !resp.Rate.Reset.IsZero(), "ratelimit-* headers not parsed: %+v", resp.Rate)
	outage := controlMethod(http.MethodPost, "/faults", map[string]any{"match": `^POST /v2/tags\?`, "status": 503, "count": 1, "retry_after": 0})
	t, resp, err := c.Tags.Create(ctx, &godo.TagCreateRequest{Name: "replayed"})
	ok("POST /v2/tags replayed after a 503", resp, err)
	check(t != nil && t.Name == "replayed", "tag after replay: %+v", t)
	listReq, _ := http.NewRequest(http.MethodGet, baseURL+"/_emulator/faults", nil)
	listReq.Header.Set("X-Emulator-Control", "1") // the emulator refuses control calls a web page could make
	resp2, err := http.DefaultClient.Do(listReq)
	check(err == nil, "control API /faults: %v", err)
	var left struct{ Faults []struct{ ID float64 } }
	check(json.NewDecoder(resp2.Body).Decode(&left) == nil, "control API /faults: undecodable")
	resp2.Body.Close()
	for _, f := range left.Faults { // a fault with a count is removed once its count is used up
		check(f.ID != faultID(storm) && f.ID != faultID(outage), "injected fault %v was not used up: the retries did not happen", f.ID)
	}
	ok("DELETE /v2/tags/{name}", nil, errOf(c.Tags.Delete(ctx, "replayed")))
	_, resp, err = c.Tags.Get(ctx, "replayed")
	gone("GET deleted tag", resp, err)
}

func accountAndKeys(c *godo.Client) *godo.Key {
	family = "account/keys"
	acct := must[*godo.Account]("GET /v2/account")(c.Account.Get(ctx))
	check(acct.UUID != "" && acct.DropletLimit > 0, "account uuid/droplet_limit missing: %+v", acct)
	key := must[*godo.Key]("POST /v2/account/keys")(c.Keys.Create(ctx, &godo.KeyCreateRequest{Name: "k", PublicKey: publicKey}))
	check(key.ID >= 1 && strings.Count(key.Fingerprint, ":") == 15, "key id/fingerprint: %+v", key)
	byID := must[*godo.Key]("GET /v2/account/keys/{id}")(c.Keys.GetByID(ctx, key.ID))
	check(strings.TrimSpace(byID.PublicKey) == publicKey, "public_key not echoed: %q", byID.PublicKey)
	byFp := must[*godo.Key]("GET /v2/account/keys/{fingerprint}")(c.Keys.GetByFingerprint(ctx, key.Fingerprint))
	check(byFp.ID == key.ID, "fingerprint lookup returned key %d, want %d", byFp.ID, key.ID)
	upd := must[*godo.Key]("PUT /v2/account/keys/{id}")(c.Keys.UpdateByID(ctx, key.ID, &godo.KeyUpdateRequest{Name: "k2"}))
	check(upd.Name == "k2", "key rename: got %q", upd.Name)
	_, _, err := c.Keys.Create(ctx, &godo.KeyCreateRequest{Name: "dup", PublicKey: publicKey})
	errorContains("duplicate key", err, 422, "SSH Key is already in use on your account")
	return key
}

func catalog(c *godo.Client) {
	family = "regions/sizes/images"
	regions := must[[]godo.Region]("GET /v2/regions")(c.Regions.List(ctx, &godo.ListOptions{PerPage: 200}))
	check(len(regions) >= 5 && regions[0].Slug != "", "regions: %d", len(regions))
	sizes := must[[]godo.Size]("GET /v2/sizes")(c.Sizes.List(ctx, &godo.ListOptions{PerPage: 200}))
	found := false
	for _, s := range sizes {
		if s.Slug == "s-1vcpu-1gb" {
			found = s.PriceMonthly > 0 && s.Memory == 1024 && s.Vcpus == 1 && len(s.Regions) > 0
		}
	}
	check(found, "size s-1vcpu-1gb missing or without price/memory/vcpus/regions")
	img := must[*godo.Image]("GET /v2/images/{slug}")(c.Images.GetBySlug(ctx, "ubuntu-24-04-x64"))
	check(img.ID >= 1 && img.Slug == "ubuntu-24-04-x64" && img.Distribution != "", "image by slug: %+v", img)
	byID := must[*godo.Image]("GET /v2/images/{id}")(c.Images.GetByID(ctx, img.ID))
	check(byID.Slug == img.Slug, "image by id: %q", byID.Slug)
	dists := must[[]godo.Image]("GET /v2/images?type=distribution")(c.Images.ListDistribution(ctx, &godo.ListOptions{PerPage: 200}))
	check(len(dists) >= 3, "distribution images: %d", len(dists))
}

func vpcs(c *godo.Client) *godo.VPC {
	family = "vpcs"
	vpc := must[*godo.VPC]("POST /v2/vpcs")(c.VPCs.Create(ctx, &godo.VPCCreateRequest{Name: "net", RegionSlug: "nyc3"}))
	check(strings.HasPrefix(vpc.URN, "do:vpc:") && !vpc.CreatedAt.IsZero(), "urn/created_at: %q %v", vpc.URN, vpc.CreatedAt)
	check(vpc.IPRange != "" && vpc.RegionSlug == "nyc3" && !vpc.Default, "ip_range/region/default: %+v", vpc)
	vpc = must[*godo.VPC]("PUT /v2/vpcs/{id}")(c.VPCs.Update(ctx, vpc.ID, &godo.VPCUpdateRequest{Name: "net2", Description: "d", Default: godo.PtrTo(false)}))
	check(vpc.Name == "net2" && vpc.Description == "d", "update not applied: %+v", vpc)
	got := must[*godo.VPC]("GET /v2/vpcs/{id}")(c.VPCs.Get(ctx, vpc.ID))
	check(got.Name == "net2", "get after update: %q", got.Name)
	all := must[[]*godo.VPC]("GET /v2/vpcs")(c.VPCs.List(ctx, &godo.ListOptions{PerPage: 200}))
	defaults := 0
	for _, v := range all {
		if v.Default && v.RegionSlug == "nyc3" {
			defaults++
		}
	}
	check(defaults == 1, "expected one default VPC in nyc3, got %d", defaults)
	return vpc
}

func droplets(c *godo.Client, key *godo.Key, vpc *godo.VPC) *godo.Droplet {
	family = "droplets"
	d, resp, err := c.Droplets.Create(ctx, &godo.DropletCreateRequest{
		Name: "web", Region: "nyc3", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"},
		SSHKeys: []godo.DropletCreateSSHKey{{ID: key.ID}, {Fingerprint: key.Fingerprint}},
		Tags:    []string{"web"}, VPCUUID: vpc.ID, IPv6: true, Monitoring: true,
	})
	ok("POST /v2/droplets", resp, err)
	check(resp.StatusCode == 202, "create status %d, want 202", resp.StatusCode)
	check(d.ID >= 1 && d.Status == "new" && d.Region != nil && d.Size != nil && d.Networks != nil,
		"create response lacks id/status new/region/size/networks: %+v", d)
	check(len(resp.Links.Actions) == 1 && resp.Links.Actions[0].Rel == "create", "links.actions: %+v", resp.Links)
	poll("droplet new→active", func() bool {
		d = must[*godo.Droplet]("GET /v2/droplets/{id}")(c.Droplets.Get(ctx, d.ID))
		check(d.Status == "new" || d.Status == "active", "status %q is neither new nor active", d.Status)
		return d.Status == "active" && !d.Locked
	})
	pub, _ := d.PublicIPv4()
	priv, _ := d.PrivateIPv4()
	v6, _ := d.PublicIPv6()
	check(net.ParseIP(pub).To4() != nil && net.ParseIP(priv).To4() != nil && net.ParseIP(v6) != nil && net.ParseIP(v6).To4() == nil,
		"networks not filled in with parseable addresses: v4 %q private %q v6 %q", pub, priv, v6)
	check(d.URN() == fmt.Sprintf("do:droplet:%d", d.ID), "urn %q", d.URN())
	check(d.VPCUUID == vpc.ID && d.Image != nil && d.Image.Slug == "ubuntu-24-04-x64", "vpc_uuid/image: %q %+v", d.VPCUUID, d.Image)
	check(contains(d.Features, "ipv6") && contains(d.Features, "monitoring"), "features %v", d.Features)
	check(d.Size.PriceMonthly > 0 && d.Memory == 1024 && d.Vcpus == 1 && d.Disk > 0, "size/memory/vcpus/disk: %+v", d)
	check(d.Created != "", "created_at empty")
	members := must[[]*godo.VPCMember]("GET /v2/vpcs/{id}/members")(c.VPCs.ListMembers(ctx, vpc.ID, nil, nil))
	check(len(members) == 1 && members[0].URN == d.URN(), "vpc members: %+v", members)

	a := must[*godo.Action]("power_off")(c.DropletActions.PowerOff(ctx, d.ID))
	check(a.ID >= 1 && a.Type == "power_off" && a.ResourceID == d.ID && a.ResourceType == "droplet", "power_off action: %+v", a)
	check(a.StartedAt != nil && a.RegionSlug == "nyc3", "action started_at/region_slug: %+v", a)
	poll("droplet active→off", func() bool {
		d = must[*godo.Droplet]("GET /v2/droplets/{id}")(c.Droplets.Get(ctx, d.ID))
		check(d.Status == "active" || d.Status == "off", "status %q while powering off", d.Status)
		return d.Status == "off"
	})
	_, _, err = c.DropletActions.PowerOff(ctx, d.ID)
	errorContains("second power_off", err, 422, "Droplet is already powered off")
	a = must[*godo.Action]("resize")(c.DropletActions.Resize(ctx, d.ID, "s-2vcpu-4gb", true))
	waitAction(c, a, "resize")
	a = must[*godo.Action]("power_on")(c.DropletActions.PowerOn(ctx, d.ID))
	waitAction(c, a, "power_on")
	a = must[*godo.Action]("rename")(c.DropletActions.Rename(ctx, d.ID, "web-2"))
	waitAction(c, a, "rename")
	a = must[*godo.Action]("enable_backups")(c.DropletActions.EnableBackups(ctx, d.ID))
	waitAction(c, a, "enable_backups")
	a = must[*godo.Action]("snapshot")(c.DropletActions.Snapshot(ctx, d.ID, "snap"))
	waitAction(c, a, "snapshot")
	d = must[*godo.Droplet]("GET /v2/droplets/{id}")(c.Droplets.Get(ctx, d.ID))
	check(d.Name == "web-2" && d.Size.Slug == "s-2vcpu-4gb" && d.Disk == 80 && d.Status == "active",
		"after resize/rename/power_on: name %q size %q disk %d status %q", d.Name, d.Size.Slug, d.Disk, d.Status)
	check(contains(d.Features, "backups") && d.NextBackupWindow != nil, "backups feature/next_backup_window: %v", d.Features)
	snapshotLookup(c, d, a)
	a = must[*godo.Action]("enable_private_networking")(c.DropletActions.EnablePrivateNetworking(ctx, d.ID))
	waitAction(c, a, "enable_private_networking")
	d = must[*godo.Droplet]("GET /v2/droplets/{id}")(c.Droplets.Get(ctx, d.ID))
	check(contains(d.Features, "private_networking"), "private_networking feature: %v", d.Features)
	named := must[[]godo.Droplet]("GET /v2/droplets?name=")(c.Droplets.ListByName(ctx, "web-2", nil))
	check(len(named) == 1 && named[0].ID == d.ID, "droplets by name (data source): %d", len(named))
	tagged := must[[]godo.Droplet]("GET /v2/droplets?tag_name=")(c.Droplets.ListByTag(ctx, "web", nil))
	check(len(tagged) == 1 && tagged[0].ID == d.ID, "droplets by tag: %d", len(tagged))
	acts := must[[]godo.Action]("GET /v2/droplets/{id}/actions")(c.Droplets.Actions(ctx, d.ID, &godo.ListOptions{PerPage: 50}))
	check(len(acts) >= 7, "droplet actions listed: %d", len(acts))
	_, err = c.VPCs.Delete(ctx, vpc.ID)
	checks++
	var er *godo.ErrorResponse
	if !errors.As(err, &er) || (er.Response.StatusCode != 403 && er.Response.StatusCode != 409) {
		fail("deleting a VPC with members must answer 403 or 409 (the provider retries those), got %v", err)
	}
	return d
}

// snapshotLookup finds the snapshot the way digitalocean_droplet_snapshot does: the one whose created_at,
// parsed as "2006-01-02T15:04:05Z", equals the snapshot action's started_at; then reads it by id.
func snapshotLookup(c *godo.Client, d *godo.Droplet, a *godo.Action) {
	snaps := must[[]godo.Image]("GET /v2/droplets/{id}/snapshots")(c.Droplets.Snapshots(ctx, d.ID, &godo.ListOptions{PerPage: 200}))
	check(len(snaps) == 1 && snaps[0].Name == "snap", "snapshots: %+v", snaps)
	check(a.StartedAt != nil, "snapshot action without started_at")
	var found *godo.Image
	for i, s := range snaps {
		created, _ := time.Parse("2006-01-02T15:04:05Z", s.Created)
		if (godo.Timestamp{Time: created}) == *a.StartedAt {
			found = &snaps[i]
		}
	}
	check(found != nil, "no snapshot whose created_at equals the action's started_at %v: %q", a.StartedAt, snaps[0].Created)
	user := must[[]godo.Image]("GET /v2/images?private=true")(c.Images.ListUser(ctx, &godo.ListOptions{PerPage: 200}))
	check(len(user) == 1 && user[0].ID == found.ID && !user[0].Public && user[0].Type == "snapshot", "user images (data source by name): %+v", user)
	snap := must[*godo.Snapshot]("GET /v2/snapshots/{id}")(c.Snapshots.Get(ctx, fmt.Sprint(found.ID)))
	check(snap.ResourceID == fmt.Sprint(d.ID) && snap.ResourceType == "droplet" && len(snap.Regions) == 1 && snap.MinDiskSize > 0 &&
		snap.SizeGigaBytes > 0 && snap.Created != "", "droplet snapshot read: %+v", snap)
}

// pagination walks droplets two per page the way the provider's list loops do.
func pagination(c *godo.Client) {
	family = "pagination"
	opt := &godo.ListOptions{Page: 1, PerPage: 2}
	seen, pages, total := 0, 0, -1
	for {
		list, resp, err := c.Droplets.List(ctx, opt)
		ok(fmt.Sprintf("GET /v2/droplets?page=%d", opt.Page), resp, err)
		pages++
		seen += len(list)
		check(resp.Meta != nil, "meta missing on page %d", opt.Page)
		if total < 0 {
			total = resp.Meta.Total
		}
		if resp.Links == nil || resp.Links.IsLastPage() {
			break
		}
		page, err := resp.Links.CurrentPage()
		check(err == nil && page == opt.Page, "CurrentPage() = %d (%v) on page %d: pages >= 2 need a prev link", page, err, opt.Page)
		check(pages < 100, "pagination does not terminate")
		opt.Page = page + 1
	}
	check(pages >= 3, "only %d page(s) of 2: seed at least 5 droplets before the run", pages)
	check(seen == total, "walked %d droplets, meta.total says %d", seen, total)
}

func tags(c *godo.Client, d *godo.Droplet) {
	family = "tags"
	t := must[*godo.Tag]("POST /v2/tags")(c.Tags.Create(ctx, &godo.TagCreateRequest{Name: "Extra"}))
	check(t.Name == "Extra" && t.Resources != nil, "tag create: %+v", t)
	must[*godo.Tag]("POST /v2/tags again (idempotent)")(c.Tags.Create(ctx, &godo.TagCreateRequest{Name: "Extra"}))
	res := []godo.Resource{{ID: fmt.Sprint(d.ID), Type: godo.DropletResourceType}}
	resp, err := c.Tags.TagResources(ctx, "Extra", &godo.TagResourcesRequest{Resources: res})
	ok("POST /v2/tags/{name}/resources", resp, err)
	check(resp.StatusCode == 204, "tag resources status %d", resp.StatusCode)
	resp, err = c.Tags.UntagResources(ctx, "web", &godo.UntagResourcesRequest{Resources: res})
	ok("DELETE /v2/tags/{name}/resources (with body)", resp, err)
	tag := must[*godo.Tag]("GET /v2/tags/{name}")(c.Tags.Get(ctx, "Extra"))
	r := tag.Resources
	check(r != nil && r.Droplets != nil && r.Images != nil && r.Volumes != nil && r.VolumeSnapshots != nil && r.Databases != nil,
		"tag resources sub-objects missing: %+v", r)
	check(r.Count == 1 && r.Droplets.Count == 1 && strings.HasSuffix(r.Droplets.LastTaggedURI, fmt.Sprintf("/v2/droplets/%d", d.ID)),
		"counts/last_tagged: %+v", r.Droplets)
	web := must[*godo.Tag]("GET /v2/tags/web")(c.Tags.Get(ctx, "web"))
	check(web.Resources.Droplets.Count == 0, "untagged droplet still counted under web")
	got := must[*godo.Droplet]("GET /v2/droplets/{id}")(c.Droplets.Get(ctx, d.ID))
	check(len(got.Tags) == 1 && got.Tags[0] == "Extra", "droplet tags %v, want [Extra]", got.Tags)
}

func volumes(c *godo.Client, d *godo.Droplet) *godo.Volume {
	family = "volumes"
	vol := must[*godo.Volume]("POST /v2/volumes")(c.Storage.CreateVolume(ctx, &godo.VolumeCreateRequest{
		Region: "nyc3", Name: "data", SizeGigaBytes: 10, Tags: []string{"Extra", "vol"}, FilesystemType: "ext4"}))
	check(vol.Region != nil && vol.Region.Slug == "nyc3" && !vol.CreatedAt.IsZero(), "volume region/created_at: %+v", vol)
	check(vol.FilesystemType == "ext4" && len(vol.Tags) == 2 && vol.URN() == "do:volume:"+vol.ID, "fs/tags/urn: %+v", vol)
	// While a droplet action is in progress, attach answers the 422 text the provider retries on. The
	// emulator keeps due times in whole seconds, so a 1.5 s delay leaves the action pending for at
	// least 0.5 s (and at most about 2 s), whatever the load.
	before := controlMethod(http.MethodPut, "/config", map[string]any{})["lifecycle_delay"]
	controlMethod(http.MethodPut, "/config", map[string]any{"lifecycle_delay": 1.5})
	reboot := must[*godo.Action]("reboot")(c.DropletActions.Reboot(ctx, d.ID))
	_, _, err := c.StorageActions.Attach(ctx, vol.ID, d.ID)
	errorContains("attach during a pending droplet action", err, 422, "Droplet already has a pending event.")
	waitAction(c, reboot, "reboot")
	controlMethod(http.MethodPut, "/config", map[string]any{"lifecycle_delay": before})
	a, resp, err := c.StorageActions.Attach(ctx, vol.ID, d.ID)
	ok("POST /v2/volumes/{id}/actions attach", resp, err)
	check(resp.StatusCode == 202, "volume action status %d, want 202", resp.StatusCode)
	waitAction(c, a, "attach")
	vol = must[*godo.Volume]("GET /v2/volumes/{id}")(c.Storage.GetVolume(ctx, vol.ID))
	check(len(vol.DropletIDs) == 1 && vol.DropletIDs[0] == d.ID, "droplet_ids after attach: %v", vol.DropletIDs)
	got := must[*godo.Droplet]("GET /v2/droplets/{id}")(c.Droplets.Get(ctx, d.ID))
	check(contains(got.VolumeIDs, vol.ID), "droplet volume_ids after attach: %v", got.VolumeIDs)
	a = must[*godo.Action]("resize")(c.StorageActions.Resize(ctx, vol.ID, 20, "nyc3"))
	waitAction(c, a, "volume resize")
	vs := must[*godo.Snapshot]("POST /v2/volumes/{id}/snapshots")(c.Storage.CreateSnapshot(ctx, &godo.SnapshotCreateRequest{VolumeID: vol.ID, Name: "vs"}))
	check(vs.ResourceType == "volume" && vs.ResourceID == vol.ID, "volume snapshot: %+v", vs)
	vsr := must[*godo.Snapshot]("GET /v2/snapshots/{id}")(c.Snapshots.Get(ctx, vs.ID))
	check(vsr.Name == "vs" && len(vsr.Regions) == 1 && vsr.MinDiskSize > 0 && vsr.Created != "", "volume snapshot read: %+v", vsr)
	a = must[*godo.Action]("detach")(c.StorageActions.DetachByDropletID(ctx, vol.ID, d.ID))
	waitAction(c, a, "detach")
	vol = must[*godo.Volume]("GET /v2/volumes/{id}")(c.Storage.GetVolume(ctx, vol.ID))
	check(len(vol.DropletIDs) == 0 && vol.SizeGigaBytes == 20, "after detach/resize: ids %v size %d", vol.DropletIDs, vol.SizeGigaBytes)
	byName := must[[]godo.Volume]("GET /v2/volumes?name=&region=")(c.Storage.ListVolumes(ctx, &godo.ListVolumeParams{Name: "data", Region: "nyc3"}))
	check(len(byName) == 1 && byName[0].ID == vol.ID, "volumes by name: %d", len(byName))
	snaps := must[[]godo.Snapshot]("GET /v2/volumes/{id}/snapshots")(c.Storage.ListSnapshots(ctx, vol.ID, nil))
	check(len(snaps) == 1 && snaps[0].ID == vs.ID, "volume snapshots: %+v", snaps)
	ok("DELETE /v2/snapshots/{id}", nil, errOf(c.Snapshots.Delete(ctx, vs.ID)))
	_, resp, err = c.Snapshots.Get(ctx, vs.ID)
	gone("GET deleted volume snapshot", resp, err)
	img := must[*godo.Image]("GET /v2/images/{slug}")(c.Images.GetBySlug(ctx, "debian-12-x64"))
	d2, _, err := c.Droplets.Create(ctx, &godo.DropletCreateRequest{Name: "db", Region: "nyc3", Size: "s-1vcpu-1gb",
		Image: godo.DropletCreateImage{ID: img.ID}, Volumes: []godo.DropletCreateVolume{{ID: vol.ID}}})
	ok("POST /v2/droplets (image by id, volumes as objects)", nil, err)
	poll("second droplet active", func() bool {
		d2 = must[*godo.Droplet]("GET /v2/droplets/{id}")(c.Droplets.Get(ctx, d2.ID))
		return d2.Status == "active"
	})
	check(d2.Image != nil && d2.Image.ID == img.ID && contains(d2.VolumeIDs, vol.ID), "image by id/volume_ids: %+v %v", d2.Image, d2.VolumeIDs)
	vol = must[*godo.Volume]("GET /v2/volumes/{id}")(c.Storage.GetVolume(ctx, vol.ID))
	check(len(vol.DropletIDs) == 1 && vol.DropletIDs[0] == d2.ID, "volume attached at droplet create: %v", vol.DropletIDs)
	ok("DELETE /v2/droplets/{id}", nil, errOf(c.Droplets.Delete(ctx, d2.ID)))
	vol = must[*godo.Volume]("GET /v2/volumes/{id}")(c.Storage.GetVolume(ctx, vol.ID))
	check(len(vol.DropletIDs) == 0, "deleting a droplet must detach its volumes: %v", vol.DropletIDs)
	tag := must[*godo.Tag]("GET /v2/tags/vol")(c.Tags.Get(ctx, "vol"))
	check(tag.Resources.Volumes.Count == 1, "volume create did not count under its tag: %+v", tag.Resources.Volumes)
	// SetTags on a volume: untag "vol", create-then-tag "disk" (resource_type volume).
	volRes := []godo.Resource{{ID: vol.ID, Type: godo.VolumeResourceType}}
	ok("DELETE /v2/tags/vol/resources (volume)", nil, errOf(c.Tags.UntagResources(ctx, "vol", &godo.UntagResourcesRequest{Resources: volRes})))
	must[*godo.Tag]("POST /v2/tags")(c.Tags.Create(ctx, &godo.TagCreateRequest{Name: "disk"}))
	ok("POST /v2/tags/disk/resources (volume)", nil, errOf(c.Tags.TagResources(ctx, "disk", &godo.TagResourcesRequest{Resources: volRes})))
	vol = must[*godo.Volume]("GET /v2/volumes/{id}")(c.Storage.GetVolume(ctx, vol.ID))
	check(len(vol.Tags) == 2 && contains(vol.Tags, "disk") && !contains(vol.Tags, "vol"), "volume tags after SetTags: %v", vol.Tags)
	return vol
}

func projects(c *godo.Client, d *godo.Droplet, vol *godo.Volume) {
	family = "projects"
	proj := must[*godo.Project]("POST /v2/projects")(c.Projects.Create(ctx, &godo.CreateProjectRequest{Name: "p", Purpose: "hobby", Environment: "Production"}))
	check(proj.Purpose == "Other: hobby" && proj.OwnerID > 0 && proj.OwnerUUID != "" && proj.CreatedAt != "", "project: %+v", proj)
	res, resp, err := c.Projects.AssignResources(ctx, proj.ID, d.URN(), "do:volume:"+vol.ID)
	ok("POST /v2/projects/{id}/resources", resp, err)
	check(resp.StatusCode == 200 && len(res) == 2 && res[0].Links != nil && res[0].AssignedAt != "", "assign: %d %+v", resp.StatusCode, res)
	listed := must[[]godo.ProjectResource]("GET /v2/projects/{id}/resources")(c.Projects.ListResources(ctx, proj.ID, &godo.ListOptions{Page: 1, PerPage: 200}))
	check(len(listed) == 2, "project resources listed: %d", len(listed))
	upd := must[*godo.Project]("PATCH /v2/projects/{id}")(c.Projects.Update(ctx, proj.ID, &godo.UpdateProjectRequest{Name: "p2", Description: "x"}))
	check(upd.Name == "p2" && upd.Description == "x", "patch: %+v", upd)
	_, err = c.Projects.Delete(ctx, proj.ID)
	errorContains("delete with resources", err, 412, "cannot delete a project with resources")
	def := must[*godo.Project]("GET /v2/projects/default")(c.Projects.GetDefault(ctx))
	check(def.IsDefault, "default project is_default false")
	all := must[[]godo.Project]("GET /v2/projects")(c.Projects.List(ctx, &godo.ListOptions{PerPage: 200}))
	check(len(all) == 2, "projects listed (data source): %d", len(all))
	must[[]godo.ProjectResource]("assign to default")(c.Projects.AssignResources(ctx, def.ID, d.URN(), "do:volume:"+vol.ID))
	left := must[[]godo.ProjectResource]("GET resources after move")(c.Projects.ListResources(ctx, proj.ID, nil))
	check(len(left) == 0, "assigning to the default project did not move resources: %d left", len(left))
	resp, err = c.Projects.Delete(ctx, proj.ID)
	ok("DELETE /v2/projects/{id}", resp, err)
	_, resp, err = c.Projects.Get(ctx, proj.ID)
	gone("GET deleted project", resp, err)
}

func firewalls(c *godo.Client, d *godo.Droplet) {
	family = "firewalls"
	req := &godo.FirewallRequest{
		Name: "fw",
		InboundRules: []godo.InboundRule{
			{Protocol: "tcp", PortRange: "22", Sources: &godo.Sources{Addresses: []string{"0.0.0.0/0", "::/0"}}},
			{Protocol: "tcp", PortRange: "443", Sources: &godo.Sources{Tags: []string{"Extra"}, DropletIDs: []int{d.ID}}},
		},
		OutboundRules: []godo.OutboundRule{
			{Protocol: "tcp", PortRange: "all", Destinations: &godo.Destinations{Addresses: []string{"0.0.0.0/0"}}},
			{Protocol: "icmp", Destinations: &godo.Destinations{Addresses: []string{"0.0.0.0/0"}}},
		},
		DropletIDs: []int{d.ID},
	}
	fw, resp, err := c.Firewalls.Create(ctx, req)
	ok("POST /v2/firewalls", resp, err)
	check(resp.StatusCode == 202, "create status %d, want 202", resp.StatusCode)
	check(fw.ID != "" && fw.Created != "" && fw.Status != "" && len(fw.DropletIDs) == 1, "firewall: %+v", fw)
	for _, r := range fw.InboundRules {
		check(r.Sources != nil, "inbound rule without sources: %+v", r)
	}
	for _, r := range fw.OutboundRules {
		check(r.Destinations != nil, "outbound rule without destinations: %+v", r)
	}
	check(len(fw.InboundRules) == 2 && fw.InboundRules[1].Sources.DropletIDs[0] == d.ID && fw.InboundRules[1].Sources.Tags[0] == "Extra",
		"inbound rules not echoed: %+v", fw.InboundRules)
	check(fw.OutboundRules[0].PortRange == "0" || fw.OutboundRules[0].PortRange == "all", "ports all echoed as %q", fw.OutboundRules[0].PortRange)
	req.InboundRules = req.InboundRules[:1]
	req.DropletIDs = nil
	req.Tags = []string{"Extra"}
	fw = must[*godo.Firewall]("PUT /v2/firewalls/{id}")(c.Firewalls.Update(ctx, fw.ID, req))
	check(len(fw.InboundRules) == 1 && len(fw.DropletIDs) == 0 && len(fw.Tags) == 1, "full-replace update: %+v", fw)
	ok("POST /v2/firewalls/{id}/droplets", nil, errOf(c.Firewalls.AddDroplets(ctx, fw.ID, d.ID)))
	fw = must[*godo.Firewall]("GET /v2/firewalls/{id}")(c.Firewalls.Get(ctx, fw.ID))
	check(len(fw.DropletIDs) == 1 && fw.DropletIDs[0] == d.ID, "add droplets: %v", fw.DropletIDs)
	byDroplet := must[[]godo.Firewall]("GET /v2/droplets/{id}/firewalls")(c.Firewalls.ListByDroplet(ctx, d.ID, nil))
	check(len(byDroplet) == 1, "firewalls by droplet: %d", len(byDroplet))
	ok("DELETE /v2/firewalls/{id}/droplets (with body)", nil, errOf(c.Firewalls.RemoveDroplets(ctx, fw.ID, d.ID)))
	ok("POST /v2/firewalls/{id}/rules", nil, errOf(c.Firewalls.AddRules(ctx, fw.ID, &godo.FirewallRulesRequest{
		InboundRules: []godo.InboundRule{{Protocol: "udp", PortRange: "53", Sources: &godo.Sources{Addresses: []string{"10.0.0.0/8"}}}}})))
	ok("POST /v2/firewalls/{id}/tags", nil, errOf(c.Firewalls.AddTags(ctx, fw.ID, "web")))
	ok("DELETE /v2/firewalls/{id}/tags (with body)", nil, errOf(c.Firewalls.RemoveTags(ctx, fw.ID, "Extra")))
	fw = must[*godo.Firewall]("GET /v2/firewalls/{id}")(c.Firewalls.Get(ctx, fw.ID))
	check(len(fw.DropletIDs) == 0 && len(fw.InboundRules) == 2, "remove droplets/add rules: %+v", fw)
	check(len(fw.Tags) == 1 && fw.Tags[0] == "web", "add/remove tags: %v", fw.Tags)
	ok("DELETE /v2/firewalls/{id}/rules (with body)", nil, errOf(c.Firewalls.RemoveRules(ctx, fw.ID, &godo.FirewallRulesRequest{
		InboundRules: []godo.InboundRule{{Protocol: "udp", PortRange: "53", Sources: &godo.Sources{Addresses: []string{"10.0.0.0/8"}}}}})))
	fw = must[*godo.Firewall]("GET /v2/firewalls/{id}")(c.Firewalls.Get(ctx, fw.ID))
	check(len(fw.InboundRules) == 1, "remove rules: %+v", fw.InboundRules)
	ok("DELETE /v2/firewalls/{id}", nil, errOf(c.Firewalls.Delete(ctx, fw.ID)))
	_, resp, err = c.Firewalls.Get(ctx, fw.ID)
	gone("GET deleted firewall", resp, err)
}

func errOf(_ *godo.Response, err error) error { return err }

func domains(c *godo.Client) string {
	family = "domains"
	name := "example-godo.com"
	dom := must[*godo.Domain]("POST /v2/domains")(c.Domains.Create(ctx, &godo.DomainCreateRequest{Name: name, IPAddress: "192.0.2.10"}))
	check(dom.Name == name, "domain name %q", dom.Name)
	dom = must[*godo.Domain]("GET /v2/domains/{name}")(c.Domains.Get(ctx, name))
	check(dom.TTL == 1800 && dom.URN() == "do:domain:"+name && dom.ZoneFile != "", "ttl/urn/zone_file: %+v", dom)
	recs := must[[]godo.DomainRecord]("GET /v2/domains/{name}/records")(c.Domains.Records(ctx, name, &godo.ListOptions{PerPage: 200}))
	types := map[string]int{}
	for _, r := range recs {
		types[r.Type]++
	}
	check(types["NS"] >= 1 && types["SOA"] == 1 && types["A"] == 1, "auto records NS/SOA/@ A: %v", types)
	cname := must[*godo.DomainRecord]("POST records CNAME")(c.Domains.CreateRecord(ctx, name, &godo.DomainRecordEditRequest{
		Type: "CNAME", Name: "www", Data: "target.example.org."}))
	check(cname.ID >= 1 && cname.Data == "target.example.org" && cname.TTL == 1800, "CNAME: trailing dot must be stripped, ttl defaulted: %+v", cname)
	mx := must[*godo.DomainRecord]("POST records MX")(c.Domains.CreateRecord(ctx, name, &godo.DomainRecordEditRequest{
		Type: "MX", Name: "@", Data: "mail.example.org.", Priority: 10, TTL: 600}))
	check(mx.Data == "mail.example.org" && mx.Priority == 10 && mx.TTL == 600, "MX: %+v", mx)
	txt := must[*godo.DomainRecord]("POST records TXT")(c.Domains.CreateRecord(ctx, name, &godo.DomainRecordEditRequest{
		Type: "TXT", Name: "@", Data: "v=spf1 -all"}))
	check(txt.Data == "v=spf1 -all", "TXT data %q", txt.Data)
	upd := must[*godo.DomainRecord]("PUT records/{id}")(c.Domains.EditRecord(ctx, name, cname.ID, &godo.DomainRecordEditRequest{
		Name: "www", Data: "other.example.org.", TTL: 300}))
	check(upd.Data == "other.example.org" && upd.TTL == 300 && upd.Type == "CNAME", "record update: %+v", upd)
	got := must[*godo.DomainRecord]("GET records/{id}")(c.Domains.Record(ctx, name, cname.ID))
	check(got.Data == "other.example.org", "record get: %+v", got)
	srv := must[*godo.DomainRecord]("POST records SRV")(c.Domains.CreateRecord(ctx, name, &godo.DomainRecordEditRequest{
		Type: "SRV", Name: "_sip._tcp", Data: "sip.example.org.", Priority: 10, Port: 5060, Weight: 5}))
	check(srv.Data == "sip.example.org" && srv.Port == 5060 && srv.Weight == 5, "SRV: %+v", srv)
	caa := must[*godo.DomainRecord]("POST records CAA")(c.Domains.CreateRecord(ctx, name, &godo.DomainRecordEditRequest{
		Type: "CAA", Name: "@", Data: "letsencrypt.org.", Flags: 0, Tag: "issue"}))
	check(caa.Data == "letsencrypt.org" && caa.Tag == "issue", "CAA: %+v", caa)
	filtered := must[[]godo.DomainRecord]("GET records?type=&name=")(c.Domains.RecordsByTypeAndName(ctx, name, "CNAME", "www."+name, nil))
	check(len(filtered) == 1 && filtered[0].ID == cname.ID, "records by type and name: %d", len(filtered))
	ok("DELETE records/{id}", nil, errOf(c.Domains.DeleteRecord(ctx, name, txt.ID)))
	_, resp, err := c.Domains.Record(ctx, name, txt.ID)
	gone("GET deleted record", resp, err)
	return name
}

func certificates(c *godo.Client, domain string) *godo.Certificate {
	family = "certificates"
	other := must[*godo.Certificate]("POST /v2/certificates (first)")(c.Certificates.Create(ctx, &godo.CertificateRequest{
		Name: "other-cert", Type: "lets_encrypt", DNSNames: []string{"api." + domain}}))
	cert, resp, err := c.Certificates.Create(ctx, &godo.CertificateRequest{Name: "le-cert", Type: "lets_encrypt", DNSNames: []string{domain, "www." + domain}})
	ok("POST /v2/certificates", resp, err)
	check(resp.StatusCode == 201 && cert.State == "pending" && cert.ID != "", "create: %d %+v", resp.StatusCode, cert)
	poll("certificate pending→verified", func() bool {
		cert = must[*godo.Certificate]("GET /v2/certificates/{id}")(c.Certificates.Get(ctx, cert.ID))
		check(cert.State == "pending" || cert.State == "verified", "state %q is neither pending nor verified", cert.State)
		return cert.State == "verified"
	})
	check(cert.NotAfter != "" && cert.SHA1Fingerprint != "" && len(cert.DNSNames) == 2 && cert.Type == "lets_encrypt", "verified cert fields: %+v", cert)
	byName := must[[]godo.Certificate]("GET /v2/certificates?name=")(c.Certificates.ListByName(ctx, "le-cert", nil))
	check(len(byName) == 1 && byName[0].ID == cert.ID, "?name= filter returned %d certificate(s)", len(byName))
	none := must[[]godo.Certificate]("GET /v2/certificates?name=missing")(c.Certificates.ListByName(ctx, "missing", nil))
	check(len(none) == 0, "?name=missing returned %d certificate(s)", len(none))
	ok("DELETE /v2/certificates/{id}", nil, errOf(c.Certificates.Delete(ctx, other.ID)))
	return cert
}

func loadBalancers(c *godo.Client, d *godo.Droplet, cert *godo.Certificate) {
	family = "load balancers"
	req := &godo.LoadBalancerRequest{
		Name: "lb", Region: "nyc3", SizeUnit: 1,
		ForwardingRules: []godo.ForwardingRule{
			{EntryProtocol: "http", EntryPort: 80, TargetProtocol: "http", TargetPort: 8080},
			{EntryProtocol: "https", EntryPort: 443, TargetProtocol: "http", TargetPort: 8080, CertificateID: cert.ID},
		},
		RedirectHttpToHttps: true, Algorithm: "round_robin", DisableLetsEncryptDNSRecords: godo.PtrTo(false),
		HTTPIdleTimeoutSeconds: godo.PtrTo(uint64(90)),
		Firewall:               &godo.LBFirewall{Allow: []string{"ip:198.51.100.7"}, Deny: []string{"cidr:10.0.0.0/8"}},
		DropletIDs:             []int{d.ID},
	}
	lb, resp, err := c.LoadBalancers.Create(ctx, req)
	ok("POST /v2/load_balancers", resp, err)
	check(resp.StatusCode == 202 && lb.Status == "new", "create: %d status %q", resp.StatusCode, lb.Status)
	poll("load balancer new→active", func() bool {
		lb = must[*godo.LoadBalancer]("GET /v2/load_balancers/{id}")(c.LoadBalancers.Get(ctx, lb.ID))
		check(lb.Status == "new" || lb.Status == "active", "status %q is neither new nor active", lb.Status)
		return lb.Status == "active"
	})
	check(lb.IP != "" && lb.Region != nil && lb.Region.Slug == "nyc3" && lb.URN() == "do:loadbalancer:"+lb.ID, "ip/region/urn: %+v", lb)
	check(lb.HealthCheck != nil && lb.HealthCheck.Protocol != "" && lb.HealthCheck.CheckIntervalSeconds > 0, "health_check default missing: %+v", lb.HealthCheck)
	check(lb.StickySessions != nil && lb.StickySessions.Type == "none", "sticky_sessions default missing: %+v", lb.StickySessions)
	check(len(lb.ForwardingRules) == 2 && lb.ForwardingRules[1].CertificateID == cert.ID, "forwarding rules: %+v", lb.ForwardingRules)
	check(len(lb.DropletIDs) == 1 && lb.DropletIDs[0] == d.ID && lb.RedirectHttpToHttps, "droplet_ids/redirect: %+v", lb)
	check(lb.VPCUUID != "" && lb.SizeUnit == 1 && lb.Created != "", "vpc_uuid (default VPC)/size_unit/created_at: %+v", lb)
	check(lb.Firewall != nil && len(lb.Firewall.Allow) == 1 && lb.Firewall.Deny[0] == "cidr:10.0.0.0/8", "firewall allow/deny: %+v", lb.Firewall)
	check(lb.HTTPIdleTimeoutSeconds != nil && *lb.HTTPIdleTimeoutSeconds == 90, "http_idle_timeout_seconds: %v", lb.HTTPIdleTimeoutSeconds)
	assignToDefault(c, lb.URN(), "do:domain:"+cert.DNSNames[0])
	named := must[[]godo.LoadBalancer]("GET /v2/load_balancers?names=")(c.LoadBalancers.ListByNames(ctx, []string{"lb"}, nil))
	check(len(named) == 1 && named[0].ID == lb.ID, "load balancers by name: %d", len(named))
	got := must[*godo.Certificate]("GET /v2/certificates/{certificate_id}")(c.Certificates.Get(ctx, lb.ForwardingRules[1].CertificateID))
	check(got.Name == cert.Name, "certificate name via rule %q", got.Name)
	req.Name = "lb2"
	req.StickySessions = &godo.StickySessions{Type: "cookies", CookieName: "c", CookieTtlSeconds: 60}
	req.HealthCheck = &godo.HealthCheck{Protocol: "http", Port: 8080, Path: "/health", CheckIntervalSeconds: 5,
		ResponseTimeoutSeconds: 3, UnhealthyThreshold: 3, HealthyThreshold: 2}
	req.DropletIDs, req.Tag = nil, "Extra" // droplet_tag instead of droplet_ids
	lb = must[*godo.LoadBalancer]("PUT /v2/load_balancers/{id}")(c.LoadBalancers.Update(ctx, lb.ID, req))
	check(lb.Name == "lb2" && lb.StickySessions.CookieName == "c" && lb.HealthCheck.Path == "/health", "update: %+v", lb)
	check(lb.Tag == "Extra" && len(lb.DropletIDs) == 1 && lb.DropletIDs[0] == d.ID, "tag-targeted droplet_ids: tag %q ids %v", lb.Tag, lb.DropletIDs)
	_, err = c.Certificates.Delete(ctx, cert.ID)
	errorContains("delete a certificate in use", err, 403, "being used by one or more load balancers")
	ok("DELETE /v2/load_balancers/{id}", nil, errOf(c.LoadBalancers.Delete(ctx, lb.ID)))
	_, resp, err = c.LoadBalancers.Get(ctx, lb.ID)
	gone("GET deleted load balancer", resp, err)
}

func monitoring(c *godo.Client, d *godo.Droplet) {
	family = "monitoring"
	req := &godo.AlertPolicyCreateRequest{
		Type: godo.DropletCPUUtilizationPercent, Description: "cpu high", Compare: godo.GreaterThan, Value: 80,
		Window: "5m", Entities: []string{fmt.Sprint(d.ID)}, Tags: []string{},
		Alerts:  godo.Alerts{Email: []string{"ops@example.com"}, Slack: []godo.SlackDetails{{Channel: "#ops", URL: "https://hooks.slack.com/x"}}},
		Enabled: godo.PtrTo(true),
	}
	p := must[*godo.AlertPolicy]("POST /v2/monitoring/alerts")(c.Monitoring.CreateAlertPolicy(ctx, req))
	check(p.UUID != "" && p.Description == "cpu high", "policy envelope must be \"policy\": %+v", p)
	check(len(p.Entities) == 1 && p.Entities[0] == fmt.Sprint(d.ID) && len(p.Alerts.Slack) == 1 && p.Alerts.Email[0] == "ops@example.com",
		"entities/alerts not echoed: %+v", p)
	req.Value = 90
	req.Alerts.Email = nil // sent as "email": null, as the provider does when no email is configured
	upd := must[*godo.AlertPolicy]("PUT /v2/monitoring/alerts/{uuid}")(c.Monitoring.UpdateAlertPolicy(ctx, p.UUID, (*godo.AlertPolicyUpdateRequest)(req)))
	check(upd.Value == 90 && len(upd.Alerts.Email) == 0 && len(upd.Alerts.Slack) == 1, "update value/alerts: %+v", upd)
	got := must[*godo.AlertPolicy]("GET /v2/monitoring/alerts/{uuid}")(c.Monitoring.GetAlertPolicy(ctx, p.UUID))
	check(got.Value == 90 && got.Enabled, "get: %+v", got)
	policies := must[[]godo.AlertPolicy]("GET /v2/monitoring/alerts")(c.Monitoring.ListAlertPolicies(ctx, nil))
	check(len(policies) == 1 && policies[0].UUID == p.UUID, "policies listed: %d", len(policies))
	ok("DELETE /v2/monitoring/alerts/{uuid}", nil, errOf(c.Monitoring.DeleteAlertPolicy(ctx, p.UUID)))
	_, resp, err := c.Monitoring.GetAlertPolicy(ctx, p.UUID)
	gone("GET deleted policy", resp, err)
}

func uptime(c *godo.Client) {
	family = "uptime"
	chk, resp, err := c.UptimeChecks.Create(ctx, &godo.CreateUptimeCheckRequest{Name: "site", Type: "https", Target: "https://example.com", Regions: []string{"us_east"}, Enabled: true})
	ok("POST /v2/uptime/checks", resp, err)
	check(resp.StatusCode == 201 && chk.ID != "" && len(chk.Regions) == 1 && chk.Regions[0] == "us_east", "create: %+v", chk)
	upd := must[*godo.UptimeCheck]("PUT /v2/uptime/checks/{id}")(c.UptimeChecks.Update(ctx, chk.ID, &godo.UpdateUptimeCheckRequest{
		Name: "site2", Type: "https", Target: "https://example.com", Regions: nil, Enabled: false}))
	check(upd.Name == "site2" && len(upd.Regions) == 0 && !upd.Enabled, "update: regions must be echoed exactly: %+v", upd)
	alert := must[*godo.UptimeAlert]("POST /v2/uptime/checks/{id}/alerts")(c.UptimeChecks.CreateAlert(ctx, chk.ID, &godo.CreateUptimeAlertRequest{
		Name: "down", Type: "down", Threshold: 1, Comparison: godo.UptimeAlertGreaterThan, Period: "2m",
		Notifications: &godo.Notifications{Email: []string{"ops@example.com"}, Slack: []godo.SlackDetails{}}}))
	check(alert.ID != "" && alert.Notifications != nil && alert.Notifications.Email[0] == "ops@example.com", "alert: %+v", alert)
	alert = must[*godo.UptimeAlert]("PUT .../alerts/{id}")(c.UptimeChecks.UpdateAlert(ctx, chk.ID, alert.ID, &godo.UpdateUptimeAlertRequest{
		Name: "down2", Type: "down", Threshold: 2, Comparison: godo.UptimeAlertGreaterThan, Period: "5m",
		Notifications: &godo.Notifications{Email: []string{"ops@example.com"}}}))
	check(alert.Name == "down2" && alert.Period == "5m", "alert update: %+v", alert)
	alert = must[*godo.UptimeAlert]("GET .../alerts/{id}")(c.UptimeChecks.GetAlert(ctx, chk.ID, alert.ID))
	check(alert.Threshold == 2, "alert get: %+v", alert)
	state := must[*godo.UptimeCheckState]("GET .../state")(c.UptimeChecks.GetState(ctx, chk.ID))
	check(state.Regions != nil, "check state without regions: %+v", state)
	alerts := must[[]godo.UptimeAlert]("GET .../alerts")(c.UptimeChecks.ListAlerts(ctx, chk.ID, nil))
	check(len(alerts) == 1, "alerts listed: %d", len(alerts))
	ok("DELETE .../alerts/{id}", nil, errOf(c.UptimeChecks.DeleteAlert(ctx, chk.ID, alert.ID)))
	ok("DELETE /v2/uptime/checks/{id}", nil, errOf(c.UptimeChecks.Delete(ctx, chk.ID)))
	_, resp, err = c.UptimeChecks.Get(ctx, chk.ID)
	gone("GET deleted check", resp, err)
}

func databases(c *godo.Client) {
	family = "databases"
	db, resp, err := c.Databases.Create(ctx, &godo.DatabaseCreateRequest{
		Name: "pg", EngineSlug: "pg", Version: "16", SizeSlug: "db-s-1vcpu-1gb", Region: "nyc3", NumNodes: 1, Tags: []string{"Extra"}})
	ok("POST /v2/databases", resp, err)
	check(resp.StatusCode == 201 && db.Status == "creating", "create: %d status %q", resp.StatusCode, db.Status)
	check(db.Connection != nil && db.Connection.Password != "" && db.Connection.User == "doadmin" && db.Connection.Port > 0,
		"connection with password must come in the create response: %+v", db.Connection)
	u, err := url.Parse(db.Connection.URI)
	check(err == nil && u.Scheme == "postgresql" && u.Host != "", "connection.uri does not parse: %q", db.Connection.URI)
	check(db.PrivateConnection != nil && !db.CreatedAt.IsZero(), "private_connection/created_at: %+v", db)
	pu, err := url.Parse(db.PrivateConnection.URI)
	check(err == nil && pu.Host != "", "private_connection.uri does not parse: %q", db.PrivateConnection.URI)
	check(db.StorageSizeMib > 0 && db.NumNodes == 1 && db.RegionSlug == "nyc3", "storage_size_mib/num_nodes/region: %+v", db)
	poll("database creating→online", func() bool {
		db = must[*godo.Database]("GET /v2/databases/{id}")(c.Databases.Get(ctx, db.ID))
		return db.Status == "online"
	})
	check(db.URN() == "do:dbaas:"+db.ID && contains(db.DBNames, "defaultdb"), "urn/db_names: %q %v", db.URN(), db.DBNames)
	dbRes := []godo.Resource{{ID: db.ID, Type: godo.DatabaseResourceType}}
	must[*godo.Tag]("POST /v2/tags")(c.Tags.Create(ctx, &godo.TagCreateRequest{Name: "pg"}))
	ok("POST /v2/tags/pg/resources (database)", nil, errOf(c.Tags.TagResources(ctx, "pg", &godo.TagResourcesRequest{Resources: dbRes})))
	ok("DELETE /v2/tags/Extra/resources (database)", nil, errOf(c.Tags.UntagResources(ctx, "Extra", &godo.UntagResourcesRequest{Resources: dbRes})))
	db = must[*godo.Database]("GET /v2/databases/{id}")(c.Databases.Get(ctx, db.ID))
	check(len(db.Tags) == 1 && db.Tags[0] == "pg", "database tags after SetTags: %v", db.Tags)
	pgTag := must[*godo.Tag]("GET /v2/tags/pg")(c.Tags.Get(ctx, "pg"))
	check(pgTag.Resources.Databases.Count == 1, "database count under its tag: %+v", pgTag.Resources.Databases)
	assignToDefault(c, db.URN())
	listed := must[[]godo.Database]("GET /v2/databases")(c.Databases.List(ctx, &godo.ListOptions{PerPage: 200}))
	check(len(listed) == 1 && listed[0].Name == "pg" && listed[0].Connection != nil, "clusters listed (data source): %d", len(listed))
	users := must[[]godo.DatabaseUser]("GET .../users")(c.Databases.ListUsers(ctx, db.ID, nil))
	check(len(users) == 1 && users[0].Name == "doadmin", "users: %+v", users)
	dbs := must[[]godo.DatabaseDB]("GET .../dbs")(c.Databases.ListDBs(ctx, db.ID, nil))
	check(len(dbs) == 1 && dbs[0].Name == "defaultdb", "dbs: %+v", dbs)
	ca := must[*godo.DatabaseCA]("GET .../ca")(c.Databases.GetCA(ctx, db.ID))
	check(bytes.Contains(ca.Certificate, []byte("BEGIN CERTIFICATE")), "CA certificate (base64 of a PEM): %q", ca.Certificate)
	ok("PUT .../autoscale", nil, errOf(c.Databases.UpdateStorageAutoscale(ctx, db.ID, &godo.DatabaseStorageAutoscale{
		Enabled: true, ThresholdPercent: godo.PtrTo(80), IncrementGib: godo.PtrTo(uint64(10))})))
	auto := must[*godo.DatabaseStorageAutoscale]("GET .../autoscale")(c.Databases.GetStorageAutoscale(ctx, db.ID))
	check(auto.Enabled && auto.ThresholdPercent != nil && *auto.ThresholdPercent == 80 && auto.IncrementGib != nil, "autoscale: %+v", auto)
	resp, err = c.Databases.UpdateFirewallRules(ctx, db.ID, &godo.DatabaseUpdateFirewallRulesRequest{Rules: []*godo.DatabaseFirewallRule{
		{Type: "ip_addr", Value: "192.0.2.0/24"}, {Type: "tag", Value: "Extra"}}})
	ok("PUT /v2/databases/{id}/firewall", resp, err)
	check(resp.StatusCode == 204, "firewall PUT status %d, want 204", resp.StatusCode)
	rules := must[[]godo.DatabaseFirewallRule]("GET .../firewall")(c.Databases.GetFirewallRules(ctx, db.ID))
	check(len(rules) == 2 && rules[0].UUID != "" && rules[0].ClusterUUID == db.ID && !rules[0].CreatedAt.IsZero(), "firewall rules: %+v", rules)
	ok("PUT .../firewall (replace)", nil, errOf(c.Databases.UpdateFirewallRules(ctx, db.ID, &godo.DatabaseUpdateFirewallRulesRequest{
		Rules: []*godo.DatabaseFirewallRule{{Type: "ip_addr", Value: "198.51.100.7"}}})))
	rules = must[[]godo.DatabaseFirewallRule]("GET .../firewall")(c.Databases.GetFirewallRules(ctx, db.ID))
	check(len(rules) == 1 && rules[0].Value == "198.51.100.7", "firewall replace kept %d rule(s)", len(rules))
	user := must[*godo.DatabaseUser]("POST .../users")(c.Databases.CreateUser(ctx, db.ID, &godo.DatabaseCreateUserRequest{Name: "app"}))
	check(user.Name == "app" && user.Password != "", "user: %+v", user)
	got := must[*godo.DatabaseUser]("GET .../users/{name}")(c.Databases.GetUser(ctx, db.ID, "app"))
	check(got.Password != "", "user password on read")
	dbn := must[*godo.DatabaseDB]("POST .../dbs")(c.Databases.CreateDB(ctx, db.ID, &godo.DatabaseCreateDBRequest{Name: "appdb"}))
	check(dbn.Name == "appdb", "db: %+v", dbn)
	pool := must[*godo.DatabasePool]("POST .../pools")(c.Databases.CreatePool(ctx, db.ID, &godo.DatabaseCreatePoolRequest{
		Name: "pool", User: "app", Database: "appdb", Size: 5, Mode: "transaction"}))
	check(pool.Name == "pool" && pool.Connection != nil && pool.Connection.Port > 0 && pool.Connection.Password != "", "pool: %+v", pool)
	for _, conn := range []*godo.DatabaseConnection{pool.Connection, pool.PrivateConnection} {
		check(conn != nil, "pool without connection/private_connection: %+v", pool)
		pu, err := url.Parse(conn.URI)
		check(err == nil && pu.Host != "" && strings.HasSuffix(pu.Path, "/pool"), "pool (private_)connection.uri does not parse or names no pool: %+v", conn)
	}
	ok("PUT .../pools/{name}", nil, errOf(c.Databases.UpdatePool(ctx, db.ID, "pool", &godo.DatabaseUpdatePoolRequest{
		User: "app", Database: "appdb", Size: 10, Mode: "session"})))
	pool = must[*godo.DatabasePool]("GET .../pools/{name}")(c.Databases.GetPool(ctx, db.ID, "pool"))
	check(pool.Size == 10 && pool.Mode == "session", "pool update: %+v", pool)
	ok("PUT .../maintenance", nil, errOf(c.Databases.UpdateMaintenance(ctx, db.ID, &godo.DatabaseUpdateMaintenanceRequest{Day: "tuesday", Hour: "14:00"})))
	db = must[*godo.Database]("GET /v2/databases/{id}")(c.Databases.Get(ctx, db.ID))
	check(db.MaintenanceWindow != nil && db.MaintenanceWindow.Day == "tuesday" && strings.HasPrefix(db.MaintenanceWindow.Hour, "14:00"),
		"maintenance_window: %+v", db.MaintenanceWindow)
	resp, err = c.Databases.Resize(ctx, db.ID, &godo.DatabaseResizeRequest{SizeSlug: "db-s-2vcpu-4gb", NumNodes: 2})
	ok("PUT .../resize", resp, err)
	poll("database resizing→online", func() bool {
		db = must[*godo.Database]("GET /v2/databases/{id}")(c.Databases.Get(ctx, db.ID))
		return db.Status == "online"
	})
	check(db.SizeSlug == "db-s-2vcpu-4gb" && db.NumNodes == 2, "after resize: %q x%d", db.SizeSlug, db.NumNodes)
	ok("DELETE .../pools/{name}", nil, errOf(c.Databases.DeletePool(ctx, db.ID, "pool")))
	ok("DELETE .../dbs/{name}", nil, errOf(c.Databases.DeleteDB(ctx, db.ID, "appdb")))
	ok("DELETE .../users/{name}", nil, errOf(c.Databases.DeleteUser(ctx, db.ID, "app")))
	ok("DELETE /v2/databases/{id}", nil, errOf(c.Databases.Delete(ctx, db.ID)))
	_, resp, err = c.Databases.Get(ctx, db.ID)
	gone("GET deleted database", resp, err)
	engineSettings(c)
}

// engineSettings covers the engine-specific reads: sql_mode (MySQL) and eviction_policy (Valkey).
func engineSettings(c *godo.Client) {
	my := must[*godo.Database]("POST /v2/databases (mysql)")(c.Databases.Create(ctx, &godo.DatabaseCreateRequest{
		Name: "my", EngineSlug: "mysql", Version: "8", SizeSlug: "db-s-1vcpu-1gb", Region: "nyc3", NumNodes: 1}))
	poll("mysql cluster online", func() bool {
		my = must[*godo.Database]("GET /v2/databases/{id}")(c.Databases.Get(ctx, my.ID))
		return my.Status == "online"
	})
	ok("PUT .../sql_mode", nil, errOf(c.Databases.SetSQLMode(ctx, my.ID, "ANSI", "STRICT_ALL_TABLES")))
	mode := must[string]("GET .../sql_mode")(c.Databases.GetSQLMode(ctx, my.ID))
	check(mode == "ANSI,STRICT_ALL_TABLES", "sql_mode %q", mode)
	user := must[*godo.DatabaseUser]("POST .../users (mysql auth plugin)")(c.Databases.CreateUser(ctx, my.ID, &godo.DatabaseCreateUserRequest{
		Name: "legacy", MySQLSettings: &godo.DatabaseMySQLUserSettings{AuthPlugin: godo.SQLAuthPluginNative}}))
	check(user.MySQLSettings != nil && user.MySQLSettings.AuthPlugin == godo.SQLAuthPluginNative && user.Password != "", "mysql user: %+v", user)
	user = must[*godo.DatabaseUser]("POST .../users/{name}/reset_auth")(c.Databases.ResetUserAuth(ctx, my.ID, "legacy", &godo.DatabaseResetUserAuthRequest{
		MySQLSettings: &godo.DatabaseMySQLUserSettings{AuthPlugin: godo.SQLAuthPluginCachingSHA2}}))
	check(user.MySQLSettings != nil && user.MySQLSettings.AuthPlugin == godo.SQLAuthPluginCachingSHA2, "reset_auth: %+v", user.MySQLSettings)
	rep, resp, err := c.Databases.CreateReplica(ctx, my.ID, &godo.DatabaseCreateReplicaRequest{Name: "my-replica", Region: "nyc3", Size: "db-s-1vcpu-1gb"})
	ok("POST .../replicas", resp, err)
	check(resp.StatusCode == 201 && rep.Connection != nil && !rep.CreatedAt.IsZero(), "replica create: %d %+v", resp.StatusCode, rep)
	poll("replica online", func() bool {
		rep = must[*godo.DatabaseReplica]("GET .../replicas/{name}")(c.Databases.GetReplica(ctx, my.ID, "my-replica"))
		return rep.Status == "online"
	})
	check(rep.ID != "" && rep.Region == "nyc3" && rep.Size == "db-s-1vcpu-1gb" && rep.PrivateConnection != nil, "replica read: %+v", rep)
	ok("DELETE .../replicas/{name}", nil, errOf(c.Databases.DeleteReplica(ctx, my.ID, "my-replica")))
	_, resp, err = c.Databases.GetReplica(ctx, my.ID, "my-replica")
	gone("GET deleted replica", resp, err)
	kv := must[*godo.Database]("POST /v2/databases (valkey)")(c.Databases.Create(ctx, &godo.DatabaseCreateRequest{
		Name: "kv", EngineSlug: "valkey", Version: "8", SizeSlug: "db-s-1vcpu-1gb", Region: "nyc3", NumNodes: 1}))
	ok("PUT .../eviction_policy", nil, errOf(c.Databases.SetEvictionPolicy(ctx, kv.ID, godo.EvictionPolicyAllKeysLRU)))
	policy := must[string]("GET .../eviction_policy")(c.Databases.GetEvictionPolicy(ctx, kv.ID))
	check(policy == godo.EvictionPolicyAllKeysLRU, "eviction_policy %q", policy)
	ok("DELETE mysql", nil, errOf(c.Databases.Delete(ctx, my.ID)))
	ok("DELETE valkey", nil, errOf(c.Databases.Delete(ctx, kv.ID)))
}

func kubernetes(c *godo.Client, vpc *godo.VPC) {
	family = "kubernetes"
	opts := must[*godo.KubernetesOptions]("GET /v2/kubernetes/options")(c.Kubernetes.GetOptions(ctx))
	check(len(opts.Versions) >= 1 && opts.Versions[0].Slug != "" && len(opts.Regions) > 0 && len(opts.Sizes) > 0, "options: %+v", opts)
	cl, resp, err := c.Kubernetes.Create(ctx, &godo.KubernetesClusterCreateRequest{
		Name: "k8s", RegionSlug: "nyc3", VersionSlug: opts.Versions[0].Slug, VPCUUID: vpc.ID, Tags: []string{"Extra"},
		NodePools: []*godo.KubernetesNodePoolCreateRequest{{Name: "default", Size: "s-2vcpu-4gb", Count: 2,
			Tags: []string{"terraform:default-node-pool"}, Labels: map[string]string{"role": "web"}}},
		MaintenancePolicy: &godo.KubernetesMaintenancePolicy{StartTime: "04:00", Day: godo.KubernetesMaintenanceDayMonday},
	})
	ok("POST /v2/kubernetes/clusters", resp, err)
	check(resp.StatusCode == 201 && cl.Status != nil && cl.Status.State == godo.KubernetesClusterStatusProvisioning, "create: %d %+v", resp.StatusCode, cl.Status)
	poll("cluster provisioning→running", func() bool {
		cl = must[*godo.KubernetesCluster]("GET /v2/kubernetes/clusters/{id}")(c.Kubernetes.Get(ctx, cl.ID))
		return cl.Status != nil && cl.Status.State == godo.KubernetesClusterStatusRunning
	})
	check(cl.MaintenancePolicy != nil && cl.MaintenancePolicy.Day == godo.KubernetesMaintenanceDayMonday, "maintenance_policy: %+v", cl.MaintenancePolicy)
	check(cl.Endpoint != "" && cl.VPCUUID == vpc.ID && !cl.CreatedAt.IsZero() && cl.URN() == "do:kubernetes:"+cl.ID, "endpoint/vpc/created_at/urn: %+v", cl)
	check(contains(cl.Tags, "Extra"), "cluster tags %v", cl.Tags)
	check(len(cl.NodePools) == 1, "node pools: %d", len(cl.NodePools))
	def := cl.NodePools[0]
	check(contains(def.Tags, "terraform:default-node-pool"), "default pool lost its terraform:default-node-pool tag: %v", def.Tags)
	check(def.Count == len(def.Nodes) && def.Count == 2, "count %d vs nodes %d", def.Count, len(def.Nodes))
	for _, n := range def.Nodes {
		check(n.Status != nil && n.Status.State == "running" && n.DropletID != "", "node not running: %+v", n)
	}
	// The provider's update body: every plug-in block sent as an empty object (null fields), ha false.
	cl = must[*godo.KubernetesCluster]("PUT /v2/kubernetes/clusters/{id}")(c.Kubernetes.Update(ctx, cl.ID, &godo.KubernetesClusterUpdateRequest{
		Name: "k8s-2", Tags: []string{"Extra", "more"}, AutoUpgrade: godo.PtrTo(true), SurgeUpgrade: true, HA: godo.PtrTo(false),
		ControlPlaneFirewall: &godo.KubernetesControlPlaneFirewall{}, RoutingAgent: &godo.KubernetesRoutingAgent{},
		AmdGpuDevicePlugin: &godo.KubernetesAmdGpuDevicePlugin{}, AmdGpuDeviceMetricsExporterPlugin: &godo.KubernetesAmdGpuDeviceMetricsExporterPlugin{},
		NvidiaGpuDevicePlugin: &godo.KubernetesNvidiaGpuDevicePlugin{}, RdmaSharedDevicePlugin: &godo.KubernetesRdmaSharedDevicePlugin{},
		CorednsAutoscaler: &godo.KubernetesCorednsAutoscaler{}, ClusterAutoscalerConfiguration: &godo.KubernetesClusterAutoscalerConfiguration{},
		MaintenancePolicy: &godo.KubernetesMaintenancePolicy{Day: godo.KubernetesMaintenanceDayFriday, StartTime: "03:00"},
	}))
	check(cl.Name == "k8s-2" && cl.AutoUpgrade && cl.SurgeUpgrade && contains(cl.Tags, "more"), "cluster update: %+v", cl)
	check(cl.MaintenancePolicy != nil && cl.MaintenancePolicy.Day == godo.KubernetesMaintenanceDayFriday && cl.MaintenancePolicy.StartTime == "03:00",
		"maintenance policy update: %+v", cl.MaintenancePolicy)
	check(cl.Status != nil && !cl.UpdatedAt.IsZero() && cl.IPv4 != "" && cl.ClusterSubnet != "" && cl.ServiceSubnet != "", "status/updated_at/ipv4/subnets: %+v", cl)
	must[[]*godo.KubernetesVersion]("GET .../upgrades")(c.Kubernetes.GetUpgrades(ctx, cl.ID))
	creds := must[*godo.KubernetesClusterCredentials]("GET .../credentials")(c.Kubernetes.GetCredentials(ctx, cl.ID, &godo.KubernetesClusterCredentialsGetRequest{ExpirySeconds: godo.PtrTo(0)}))
	check(creds.ExpiresAt.After(time.Now()), "credentials with expiry_seconds=0 (the provider's default) already expired: %v", creds.ExpiresAt)
	check(creds.Server != "" && bytes.Contains(creds.CertificateAuthorityData, []byte("BEGIN CERTIFICATE")) && creds.Token != "" && !creds.ExpiresAt.IsZero(),
		"credentials (no envelope, base64 CA, token, expires_at): server %q ca %d bytes", creds.Server, len(creds.CertificateAuthorityData))
	kc := must[*godo.KubernetesClusterConfig]("GET .../kubeconfig")(c.Kubernetes.GetKubeConfig(ctx, cl.ID, nil))
	check(bytes.Contains(kc.KubeconfigYAML, []byte("apiVersion")), "kubeconfig is not YAML: %q", kc.KubeconfigYAML)
	np, resp, err := c.Kubernetes.CreateNodePool(ctx, cl.ID, &godo.KubernetesNodePoolCreateRequest{Name: "extra", Size: "s-1vcpu-2gb", Count: 1,
		Taints: []godo.Taint{{Key: "k", Value: "v", Effect: "NoSchedule"}}})
	ok("POST .../node_pools", resp, err)
	check(resp.StatusCode == 201 && np.ID != "" && len(np.Taints) == 1 && np.Taints[0].Key == "k", "node pool create: %+v", np)
	check(len(def.Labels) == 1 && def.Labels["role"] == "web", "default pool labels: %v", def.Labels)
	np, resp, err = c.Kubernetes.UpdateNodePool(ctx, cl.ID, np.ID, &godo.KubernetesNodePoolUpdateRequest{Name: "extra", Count: godo.PtrTo(3)})
	ok("PUT .../node_pools/{id}", resp, err)
	check(resp.StatusCode == 202 && np.Count == 3, "node pool update: %d count %d", resp.StatusCode, np.Count)
	poll("node pool nodes running", func() bool {
		np = must[*godo.KubernetesNodePool]("GET .../node_pools/{id}")(c.Kubernetes.GetNodePool(ctx, cl.ID, np.ID))
		running := 0
		for _, n := range np.Nodes {
			if n.Status != nil && n.Status.State == "running" {
				running++
			}
		}
		return running == np.Count
	})
	assignToDefault(c, cl.URN())
	clusters := must[[]*godo.KubernetesCluster]("GET /v2/kubernetes/clusters")(c.Kubernetes.List(ctx, &godo.ListOptions{PerPage: 200}))
	check(len(clusters) == 1 && clusters[0].Name == cl.Name && len(clusters[0].NodePools) == 2, "clusters listed (data source): %d", len(clusters))
	pools := must[[]*godo.KubernetesNodePool]("GET .../node_pools")(c.Kubernetes.ListNodePools(ctx, cl.ID, &godo.ListOptions{PerPage: 200}))
	check(len(pools) == 2, "node pools listed: %d", len(pools))
	ok("DELETE .../node_pools/{id}", nil, errOf(c.Kubernetes.DeleteNodePool(ctx, cl.ID, np.ID)))
	_, resp, err = c.Kubernetes.GetNodePool(ctx, cl.ID, np.ID)
	gone("GET deleted node pool", resp, err)
	// registry integration: needs a registry, created here and removed again in registry().
	must[*godo.Registry]("POST /v2/registry")(c.Registry.Create(ctx, &godo.RegistryCreateRequest{Name: "k8s-reg", SubscriptionTierSlug: "basic", Region: "nyc3"}))
	ok("POST /v2/kubernetes/registry", nil, errOf(c.Kubernetes.AddRegistry(ctx, &godo.KubernetesClusterRegistryRequest{ClusterUUIDs: []string{cl.ID}})))
	cl = must[*godo.KubernetesCluster]("GET /v2/kubernetes/clusters/{id}")(c.Kubernetes.Get(ctx, cl.ID))
	check(cl.RegistryEnabled, "registry_enabled false after registry integration")
	ok("DELETE /v2/kubernetes/registry (with body)", nil, errOf(c.Kubernetes.RemoveRegistry(ctx, &godo.KubernetesClusterRegistryRequest{ClusterUUIDs: []string{cl.ID}})))
	cl = must[*godo.KubernetesCluster]("GET /v2/kubernetes/clusters/{id}")(c.Kubernetes.Get(ctx, cl.ID))
	check(!cl.RegistryEnabled, "registry_enabled still true after removing the integration")
	ok("DELETE /v2/registry (singular path)", nil, errOf(c.Registry.Delete(ctx)))
	ok("DELETE /v2/kubernetes/clusters/{id}", nil, errOf(c.Kubernetes.Delete(ctx, cl.ID)))
	poll("deleted cluster 404", func() bool {
		_, resp, err := c.Kubernetes.Get(ctx, cl.ID)
		return err != nil && resp != nil && resp.StatusCode == 404
	})
}

// seedPushes adds images to a registry through the emulator's control API (the registry API has no
// push) and slows garbage collection down so that it can be read and cancelled while active.
func seedPushes(registry string) {
	control("/seed/registry", map[string]any{"registry": registry, "gc_step_seconds": 60, "pushes": []map[string]any{
		{"repository": "team/web", "tags": []string{"v1", "latest"}, "age_days": 3},
		{"repository": "team/web", "tags": []string{"v0"}, "age_days": 30},
		{"repository": "api", "tags": []string{"v1"}, "age_days": 1},
	}})
}

func registry(c *godo.Client) {
	family = "registry"
	reg, resp, err := c.Registry.Create(ctx, &godo.RegistryCreateRequest{Name: "reg", SubscriptionTierSlug: "basic", Region: "nyc3"})
	ok("POST /v2/registry", resp, err)
	check(resp.StatusCode == 201 && reg.Name == "reg" && !reg.CreatedAt.IsZero() && reg.Region == "nyc3", "create: %+v", reg)
	got := must[*godo.Registry]("GET /v2/registries/{name}")(c.Registries.Get(ctx, "reg"))
	check(got.Name == "reg" && got.Region == "nyc3", "read via /v2/registries/{name}: %+v", got)
	legacy := must[*godo.Registry]("GET /v2/registry")(c.Registry.Get(ctx))
	check(legacy.Name == "reg", "the singular and plural paths share state: %+v", legacy)
	sub := must[*godo.RegistrySubscription]("GET /v2/registries/subscription")(c.Registries.GetSubscription(ctx))
	check(sub.Tier != nil && sub.Tier.Slug == "basic" && !sub.CreatedAt.IsZero(), "subscription tier: %+v", sub)
	sub = must[*godo.RegistrySubscription]("POST /v2/registry/subscription")(c.Registry.UpdateSubscription(ctx, &godo.RegistrySubscriptionUpdateRequest{TierSlug: "professional"}))
	check(sub.Tier != nil && sub.Tier.Slug == "professional", "subscription update: %+v", sub.Tier)
	creds := must[*godo.DockerCredentials]("GET /v2/registries/{name}/docker-credentials")(c.Registries.DockerCredentials(ctx, "reg",
		&godo.RegistryDockerCredentialsRequest{ReadWrite: true, ExpirySeconds: godo.PtrTo(3600)}))
	var cfg struct {
		Auths map[string]struct{ Auth string } `json:"auths"`
	}
	check(json.Unmarshal(creds.DockerConfigJSON, &cfg) == nil && len(cfg.Auths) == 1, "docker credentials without envelope: %s", creds.DockerConfigJSON)
	for host, a := range cfg.Auths {
		raw, err := base64.StdEncoding.DecodeString(a.Auth)
		check(err == nil && strings.Contains(string(raw), ":") && host != "", "auth is not base64(user:token): %q", a.Auth)
	}
	ok("POST /v2/registry/validate-name", nil, errOf(c.Registry.ValidateName(ctx, &godo.RegistryValidateNameRequest{Name: "free-name"})))
	regs := must[[]*godo.Registry]("GET /v2/registries")(c.Registries.List(ctx))
	check(len(regs) == 1 && regs[0].Name == "reg", "registries listed: %+v", regs)
	opts := must[*godo.RegistryOptions]("GET /v2/registry/options")(c.Registry.GetOptions(ctx))
	check(len(opts.SubscriptionTiers) >= 3 && len(opts.AvailableRegions) > 0, "options: %+v", opts)

	seedPushes("reg")
	repos, resp, err := c.Registry.ListRepositoriesV2(ctx, "reg", &godo.TokenListOptions{PerPage: 1})
	ok("GET .../repositoriesV2", resp, err)
	seen := len(repos)
	for resp.Links != nil && !resp.Links.IsLastPage() {
		token, err := resp.Links.NextPageToken()
		check(err == nil && token != "", "repositoriesV2 next link without page_token: %v", err)
		repos, resp, err = c.Registry.ListRepositoriesV2(ctx, "reg", &godo.TokenListOptions{PerPage: 1, Token: token})
		ok("GET .../repositoriesV2?page_token=", resp, err)
		seen += len(repos)
		check(seen < 10, "repositoriesV2 pagination does not terminate")
	}
	check(seen == 2, "repositoriesV2 walked %d repositories, want 2", seen)
	tagsList := must[[]*godo.RepositoryTag]("GET .../repositories/team%2Fweb/tags")(c.Registry.ListRepositoryTags(ctx, "reg", "team/web", nil))
	check(len(tagsList) == 3 && tagsList[0].ManifestDigest != "" && tagsList[0].SizeBytes > 0 && !tagsList[0].UpdatedAt.IsZero(), "tags: %+v", tagsList)
	mans := must[[]*godo.RepositoryManifest]("GET .../digests")(c.Registry.ListRepositoryManifests(ctx, "reg", "team/web", nil))
	check(len(mans) == 2 && mans[0].Digest != "" && len(mans[0].Blobs) > 0 && mans[0].CompressedSizeBytes > 0, "manifests: %+v", mans)
	ok("DELETE .../tags/{tag}", nil, errOf(c.Registry.DeleteTag(ctx, "reg", "team/web", "v0")))
	for _, m := range mans {
		if len(m.Tags) == 1 && m.Tags[0] == "v0" {
			ok("DELETE .../digests/{digest}", nil, errOf(c.Registry.DeleteManifest(ctx, "reg", "team/web", m.Digest)))
		}
	}
	mans = must[[]*godo.RepositoryManifest]("GET .../digests")(c.Registry.ListRepositoryManifests(ctx, "reg", "team/web", nil))
	check(len(mans) == 1, "manifest delete: %d left", len(mans))
	gc, resp, err := c.Registry.StartGarbageCollection(ctx, "reg", &godo.StartGarbageCollectionRequest{Type: godo.GCTypeUntaggedManifestsAndUnreferencedBlobs})
	ok("POST .../garbage-collection", resp, err)
	check(resp.StatusCode == 201 && gc.UUID != "" && gc.Status != "" && !gc.CreatedAt.IsZero(), "gc start: %+v", gc)
	active := must[*godo.GarbageCollection]("GET .../garbage-collection")(c.Registry.GetGarbageCollection(ctx, "reg"))
	check(active.UUID == gc.UUID, "active gc %q, want %q", active.UUID, gc.UUID)
	gc = must[*godo.GarbageCollection]("PUT .../garbage-collection/{uuid}")(c.Registry.UpdateGarbageCollection(ctx, "reg", gc.UUID, &godo.UpdateGarbageCollectionRequest{Cancel: true}))
	check(gc.Status == "cancelling" || gc.Status == "cancelled", "cancel status %q", gc.Status)
	gcs := must[[]*godo.GarbageCollection]("GET .../garbage-collections")(c.Registry.ListGarbageCollections(ctx, "reg", nil))
	check(len(gcs) == 1, "garbage collections: %d", len(gcs))
	ok("DELETE /v2/registries/{name}", nil, errOf(c.Registries.Delete(ctx, "reg")))
	_, resp, err = c.Registries.Get(ctx, "reg")
	gone("GET deleted registry", resp, err)
}

func apps(c *godo.Client) {
	family = "apps"
	spec := &godo.AppSpec{Name: "web", Region: "nyc", Services: []*godo.AppServiceSpec{{
		Name: "api", InstanceCount: 1, InstanceSizeSlug: "apps-s-1vcpu-1gb", HTTPPort: 8080,
		Image: &godo.ImageSourceSpec{RegistryType: godo.ImageSourceSpecRegistryType_DockerHub, Registry: "library", Repository: "nginx", Tag: "latest"},
	}}, Alerts: []*godo.AppAlertSpec{{Rule: godo.AppAlertSpecRule_DeploymentFailed}}}
	def := must[*godo.Project]("GET /v2/projects/default")(c.Projects.GetDefault(ctx))
	app, resp, err := c.Apps.Create(ctx, &godo.AppCreateRequest{Spec: spec, ProjectID: def.ID})
	ok("POST /v2/apps", resp, err)
	check(resp.StatusCode == 200 && app.ID != "" && app.Spec != nil && app.Spec.Name == "web", "create: %d %+v", resp.StatusCode, app)
	first := waitDeployment(c, app)
	app = must[*godo.App]("GET /v2/apps/{id}")(c.Apps.Get(ctx, app.ID))
	check(app.ActiveDeployment != nil && app.ActiveDeployment.ID == first && app.LiveURL != "" && app.DefaultIngress != "" && !app.CreatedAt.IsZero(),
		"active_deployment/live_url/default_ingress/created_at: %+v", app)
	check(app.URN() == "do:app:"+app.ID && len(app.Spec.Services) == 1 && app.Spec.Services[0].Image.Repository == "nginx", "spec echo/urn: %+v", app.Spec)
	check(app.ProjectID == def.ID, "project_id %q, want the default project %q", app.ProjectID, def.ID)
	inProject := false
	res := must[[]godo.ProjectResource]("GET /v2/projects/{id}/resources")(c.Projects.ListResources(ctx, def.ID, &godo.ListOptions{PerPage: 200}))
	for _, r := range res {
		inProject = inProject || r.URN == app.URN()
	}
	check(inProject, "app created with project_id is not among the project's resources")
	alerts := must[[]*godo.AppAlert]("GET /v2/apps/{id}/alerts")(c.Apps.ListAlerts(ctx, app.ID))
	check(len(alerts) >= 1 && alerts[0].ID != "" && alerts[0].Spec != nil && alerts[0].Spec.Rule != "", "alerts: %+v", alerts)
	alert := must[*godo.AppAlert]("POST .../alerts/{id}/destinations")(c.Apps.UpdateAlertDestinations(ctx, app.ID, alerts[0].ID,
		&godo.AlertDestinationUpdateRequest{Emails: []string{"ops@example.com"}}))
	check(len(alert.Emails) == 1, "alert destinations: %+v", alert)
	spec.Services[0].InstanceCount = 2
	app = must[*godo.App]("PUT /v2/apps/{id}")(c.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: spec}))
	second := waitDeployment(c, app)
	check(second != first, "update did not create a new deployment")
	deps := must[[]*godo.Deployment]("GET /v2/apps/{id}/deployments")(c.Apps.ListDeployments(ctx, app.ID, &godo.ListOptions{PerPage: 20}))
	check(len(deps) == 2 && deps[0].ID == second, "deployments newest first: %d, [0]=%q", len(deps), deps[0].ID)
	app = must[*godo.App]("GET /v2/apps/{id}")(c.Apps.Get(ctx, app.ID))
	check(app.ActiveDeployment != nil && app.ActiveDeployment.ID == second && app.Spec.Services[0].InstanceCount == 2, "after update: %+v", app.ActiveDeployment)
	dep := must[*godo.Deployment]("POST /v2/apps/{id}/deployments")(c.Apps.CreateDeployment(ctx, app.ID, &godo.DeploymentCreateRequest{ForceBuild: true}))
	check(dep.ID != "" && dep.ID != second && dep.Progress != nil, "forced deployment: %+v", dep)
	sizes := must[[]*godo.AppInstanceSize]("GET /v2/apps/tiers/instance_sizes")(c.Apps.ListInstanceSizes(ctx))
	check(len(sizes) > 0 && sizes[0].Slug != "", "instance sizes: %d", len(sizes))
	regions := must[[]*godo.AppRegion]("GET /v2/apps/regions")(c.Apps.ListRegions(ctx))
	check(len(regions) > 0, "app regions: %d", len(regions))
	resp, err = c.Apps.Delete(ctx, app.ID)
	ok("DELETE /v2/apps/{id}", resp, err)
	check(resp.StatusCode == 200, "delete status %d, want 200", resp.StatusCode)
	_, resp, err = c.Apps.Get(ctx, app.ID)
	gone("GET deleted app", resp, err)
}

// waitDeployment is WaitForAppDeployment: pending_deployment.id or deployments[0], until all steps SUCCESS.
func waitDeployment(c *godo.Client, app *godo.App) string {
	id := ""
	if app.PendingDeployment != nil {
		id = app.PendingDeployment.ID
	} else {
		deps := must[[]*godo.Deployment]("GET /v2/apps/{id}/deployments")(c.Apps.ListDeployments(ctx, app.ID, &godo.ListOptions{PerPage: 20}))
		check(len(deps) > 0, "no deployment after create/update")
		id = deps[0].ID
	}
	poll("deployment steps all SUCCESS", func() bool {
		dep := must[*godo.Deployment]("GET /v2/apps/{id}/deployments/{dep}")(c.Apps.GetDeployment(ctx, app.ID, id))
		check(dep.Progress != nil, "deployment without progress")
		check(dep.Progress.ErrorSteps == 0, "deployment has error steps")
		for _, s := range dep.Progress.Steps {
			if s.Status != godo.DeploymentProgressStepStatus_Success {
				return false
			}
		}
		return dep.Phase == godo.DeploymentPhase_Active
	})
	return id
}

func cleanup(c *godo.Client, d *godo.Droplet, vol *godo.Volume, vpc *godo.VPC, domain string, cert *godo.Certificate) {
	family = "cleanup"
	ok("DELETE /v2/certificates/{id}", nil, errOf(c.Certificates.Delete(ctx, cert.ID)))
	none := must[[]godo.Certificate]("GET /v2/certificates?name=")(c.Certificates.ListByName(ctx, cert.Name, nil))
	check(len(none) == 0, "deleted certificate still listed by name")
	ok("DELETE /v2/domains/{name}", nil, errOf(c.Domains.Delete(ctx, domain)))
	_, resp, err := c.Domains.Get(ctx, domain)
	gone("GET deleted domain", resp, err)
	ok("DELETE /v2/volumes/{id}", nil, errOf(c.Storage.DeleteVolume(ctx, vol.ID)))
	family = "droplets"
	resp, err = c.Droplets.Delete(ctx, d.ID)
	ok("DELETE /v2/droplets/{id}", resp, err)
	check(resp.StatusCode == 204, "droplet delete status %d", resp.StatusCode)
	_, resp, err = c.Droplets.Get(ctx, d.ID)
	gone("GET deleted droplet", resp, err)
	family = "vpcs"
	ok("DELETE /v2/vpcs/{id}", nil, errOf(c.VPCs.Delete(ctx, vpc.ID)))
	_, resp, err = c.VPCs.Get(ctx, vpc.ID)
	gone("GET deleted vpc", resp, err)
}

// assignToDefault assigns URNs to the default project and checks they are listed there.
func assignToDefault(c *godo.Client, urns ...string) {
	def := must[*godo.Project]("GET /v2/projects/default")(c.Projects.GetDefault(ctx))
	args := make([]interface{}, len(urns))
	for i, u := range urns {
		args[i] = u
	}
	res := must[[]godo.ProjectResource]("POST /v2/projects/{default}/resources")(c.Projects.AssignResources(ctx, def.ID, args...))
	check(len(res) == len(urns), "assigned %d of %d resources", len(res), len(urns))
	listed := must[[]godo.ProjectResource]("GET /v2/projects/{default}/resources")(c.Projects.ListResources(ctx, def.ID, &godo.ListOptions{PerPage: 200}))
	for _, u := range urns {
		found := false
		for _, r := range listed {
			found = found || r.URN == u
		}
		check(found, "%s not listed in the default project after assignment", u)
	}
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
