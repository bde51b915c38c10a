/* Primal network simplex for the transportation problems of matching.transport.

   A plain C shared library (no Python API), loaded with ctypes by matching.netsimplex; the
   arrays it works on belong to the caller (NumPy arrays passed by pointer) except the tree.

   Problem: min sum cost[a] flow[a] over arcs a = (src[a], tgt[a]) with 0 <= flow[a], and
   flow[a] <= cap[a] for the first n_cap arcs (the others have no bound), flow conservation with supply[u] at the nodes 0..n-1 and an extra root
   node n whose supply is minus the others' sum. The arcs m_real..m_real+n-1 must be the slack
   arcs: for node u, arc m_real+u joins u and the root (u -> root with supply[u] >= 0, or
   root -> u with supply[u] <= 0), cost 0, no bound; they are the start tree (every slack carries its node's
   supply: a strongly feasible tree when the root -> u slacks carry a positive flow, or when
   such a node has no other arc).

   The method is the one of LEMON's NetworkSimplex (Kiraly, Kovacs: "Efficient
   implementations of minimum-cost flow algorithms", 2012): a spanning tree basis stored as
   parent / pred / thread / rev_thread / succ_num / last_succ, strongly feasible trees (the
   leaving arc is the last blocking arc of the cycle from the join node: no cycling), the
   block search pivot rule (blocks of sqrt(arcs), cyclic, the most violated arc of the first
   block holding one). Costs are doubles: an arc enters when its reduced cost, times its
   state, is below -tol. At the end the potentials are recomputed from the tree (no drift of
   the incremental updates) and every arc is priced again; pivoting resumes if one violates.
   Deterministic: no clock, no randomness, the same arrays give the same pivots. */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STATE_UPPER (-1)
#define STATE_TREE 0
#define STATE_LOWER 1
#define DIR_UP 1
#define DIR_DOWN (-1)
#define INF_FLOW (INT64_MAX / 4)

typedef struct {
    int32_t n;       /* nodes without the root */
    int32_t root;    /* = n */
    int64_t m;       /* arcs, slacks included */
    int64_t m_real;  /* arcs before the slacks */
    const int32_t *src, *tgt;
    const double *cost;
    const int64_t *cap; /* bounds of the arcs 0..n_cap-1; the others have none */
    int64_t n_cap;
    int64_t *flow;
    int8_t *state;
    /* tree, n + 1 entries */
    int32_t *parent, *pred, *thread, *rev_thread, *succ_num, *last_succ, *dirty;
    int8_t *pred_dir;
    double *pi;
    int64_t block, next_arc;
    /* pivot */
    int64_t in_arc;
    int32_t join, u_in, v_in, u_out, v_out;
    int64_t delta;
    int64_t pivots;
    /* pricing rounds (ns_set_runs): pivots on the active arcs only; when none violates, each
       run's k most violated inactive arcs join */
    int64_t n_runs, k_per_run, n_act, rounds;
    const int64_t *run_start; /* n_runs + 1 entries, the caller's */
    int32_t *act;             /* active arcs, increasing */
    uint8_t *is_act;          /* per arc */
} ns_t;

static inline int64_t arc_cap(const ns_t *s, int64_t e) {
    return e < s->n_cap ? s->cap[e] : INF_FLOW;
}

void ns_free(ns_t *s) {
    if (s == NULL) return;
    free(s->state);
    free(s->parent);
    free(s->pred);
    free(s->thread);
    free(s->rev_thread);
    free(s->succ_num);
    free(s->last_succ);
    free(s->dirty);
    free(s->pred_dir);
    free(s->pi);
    free(s->act);
    free(s->is_act);
    free(s);
}

/* The tree's potentials from scratch, root first along the thread. */
static void compute_potentials(ns_t *s) {
    s->pi[s->root] = 0.0;
    for (int32_t u = s->thread[s->root]; u != s->root; u = s->thread[u]) {
        int32_t p = s->parent[u];
        s->pi[u] = s->pi[p] - s->pred_dir[u] * s->cost[s->pred[u]];
    }
}

ns_t *ns_new(int32_t n, int64_t m, int64_t m_real, const int32_t *src, const int32_t *tgt,
             const double *cost, const int64_t *cap, int64_t n_cap, int64_t *flow,
             const int64_t *supply) {
    if (n_cap < 0 || n_cap > m_real || (n_cap > 0 && cap == NULL)) return NULL;
    if (m != m_real + n) return NULL;
    ns_t *s = calloc(1, sizeof(ns_t));
    if (s == NULL) return NULL;
    s->n = n;
    s->root = n;
    s->m = m;
    s->m_real = m_real;
    s->src = src;
    s->tgt = tgt;
    s->cost = cost;
    s->cap = cap;
    s->n_cap = n_cap;
    s->flow = flow;
    size_t nn = (size_t)n + 1;
    s->state = malloc((size_t)m);
    s->parent = malloc(nn * sizeof(int32_t));
    s->pred = malloc(nn * sizeof(int32_t));
    s->thread = malloc(nn * sizeof(int32_t));
    s->rev_thread = malloc(nn * sizeof(int32_t));
    s->succ_num = malloc(nn * sizeof(int32_t));
    s->last_succ = malloc(nn * sizeof(int32_t));
    s->dirty = malloc(nn * sizeof(int32_t));
    s->pred_dir = malloc(nn);
    s->pi = malloc(nn * sizeof(double));
    if (!s->state || !s->parent || !s->pred || !s->thread || !s->rev_thread || !s->succ_num ||
        !s->last_succ || !s->dirty || !s->pred_dir || !s->pi) {
        ns_free(s);
        return NULL;
    }
    memset(s->state, STATE_LOWER, (size_t)m);
    for (int64_t e = 0; e < m_real; e++) flow[e] = 0;
    int32_t root = n;
    int64_t total = 0;
    s->parent[root] = -1;
    s->pred[root] = -1;
    s->pred_dir[root] = 0;
    s->thread[root] = n > 0 ? 0 : root;
    s->rev_thread[n > 0 ? 0 : root] = root;
    s->succ_num[root] = n + 1;
    s->last_succ[root] = n > 0 ? n - 1 : root;
    for (int32_t u = 0; u < n; u++) {
        int64_t e = m_real + u;
        s->parent[u] = root;
        s->pred[u] = (int32_t)e;
        s->thread[u] = u + 1 < n ? u + 1 : root;
        s->rev_thread[u + 1 < n ? u + 1 : root] = u;
        s->succ_num[u] = 1;
        s->last_succ[u] = u;
        s->state[e] = STATE_TREE;
        if (src[e] == u && tgt[e] == root && supply[u] >= 0) {
            s->pred_dir[u] = DIR_UP;
            flow[e] = supply[u];
        } else if (src[e] == root && tgt[e] == u && supply[u] <= 0) {
            s->pred_dir[u] = DIR_DOWN;
            flow[e] = -supply[u];
        } else {
            ns_free(s);
            return NULL;
        }
        total += supply[u];
    }
    (void)total;
    int64_t b = (int64_t)sqrt((double)m);
    s->block = b < 10 ? 10 : b;
    s->next_arc = 0;
    compute_potentials(s);
    return s;
}

/* The block size of the pivot search (default sqrt(arcs), at least 10). */
void ns_set_block(ns_t *s, int64_t block) {
    s->block = block < 10 ? 10 : block;
}

/* Pricing rounds instead of searching every arc: the arcs run_start[r] .. run_start[r+1]-1 form
   run r (matching.transport: the arcs of one need); arcs outside the runs, the slacks and the
   arcs with active[a] != 0 are active from the start. ns_solve then pivots on the active arcs
   only; when none of them violates, it prices every inactive arc and each run's k most
   violated ones (ties: the first in arc order) join; optimal when none violates. Returns 0, or
   -1 when out of memory or the runs are bad. */
int ns_set_runs(ns_t *s, const int64_t *run_start, int64_t n_runs, const uint8_t *active, int64_t k) {
    if (n_runs < 0 || k < 1 || (n_runs > 0 && (run_start[0] < 0 || run_start[n_runs] > s->m_real)))
        return -1;
    for (int64_t r = 0; r < n_runs; r++)
        if (run_start[r + 1] < run_start[r]) return -1;
    s->act = malloc((size_t)s->m * sizeof(int32_t));
    s->is_act = malloc((size_t)s->m);
    if (!s->act || !s->is_act) return -1;
    memset(s->is_act, 1, (size_t)s->m);
    for (int64_t r = 0; r < n_runs; r++)
        for (int64_t e = run_start[r]; e < run_start[r + 1]; e++) s->is_act[e] = active[e] != 0;
    int64_t na = 0;
    for (int64_t e = 0; e < s->m; e++)
        if (s->is_act[e]) s->act[na++] = (int32_t)e;
    s->n_act = na;
    s->run_start = run_start;
    s->n_runs = n_runs;
    s->k_per_run = k;
    int64_t b = (int64_t)sqrt((double)na);
    s->block = b < 10 ? 10 : b;
    return 0;
}

/* Block search over the active list (same rule as find_entering). */
static int find_entering_act(ns_t *s, double tol) {
    const int32_t *src = s->src, *tgt = s->tgt, *act = s->act;
    const double *cost = s->cost, *pi = s->pi;
    const int8_t *state = s->state;
    double min = -tol;
    int64_t cnt = s->block, i, na = s->n_act, best = -1;
    for (i = s->next_arc; i < na; i++) {
        int32_t e = act[i];
        double c = state[e] * (cost[e] + pi[src[e]] - pi[tgt[e]]);
        if (c < min) { min = c; best = e; }
        if (--cnt == 0) {
            if (best >= 0) goto found;
            cnt = s->block;
        }
    }
    for (i = 0; i < s->next_arc; i++) {
        int32_t e = act[i];
        double c = state[e] * (cost[e] + pi[src[e]] - pi[tgt[e]]);
        if (c < min) { min = c; best = e; }
        if (--cnt == 0) {
            if (best >= 0) goto found;
            cnt = s->block;
        }
    }
    if (best < 0) return 0;
found:
    s->in_arc = best;
    s->next_arc = i;
    return 1;
}

/* One pricing round: each run's k most violated inactive arcs join (inactive arcs are at
   their lower bound, flow 0). Returns how many joined. */
static int64_t price_runs(ns_t *s, double tol) {
    const int32_t *src = s->src, *tgt = s->tgt;
    const double *cost = s->cost, *pi = s->pi;
    int64_t k = s->k_per_run, added = 0;
    int32_t best_e[64];
    double best_c[64];
    if (k > 64) k = 64;
    for (int64_t r = 0; r < s->n_runs; r++) {
        int64_t nb = 0;
        for (int64_t e = s->run_start[r]; e < s->run_start[r + 1]; e++) {
            if (s->is_act[e]) continue;
            double c = cost[e] + pi[src[e]] - pi[tgt[e]];
            if (c >= -tol || (nb == k && c >= best_c[nb - 1])) continue;
            int64_t j = nb < k ? nb++ : k - 1; /* insert, keep ascending (most violated first) */
            while (j > 0 && best_c[j - 1] > c) {
                best_c[j] = best_c[j - 1];
                best_e[j] = best_e[j - 1];
                j--;
            }
            best_c[j] = c;
            best_e[j] = (int32_t)e;
        }
        for (int64_t j = 0; j < nb; j++) s->is_act[best_e[j]] = 1;
        added += nb;
    }
    if (added) { /* the active list again, in arc order */
        int64_t na = 0;
        for (int64_t e = 0; e < s->m; e++)
            if (s->is_act[e]) s->act[na++] = (int32_t)e;
        s->n_act = na;
        int64_t b = (int64_t)sqrt((double)na);
        s->block = b < 10 ? 10 : b;
    }
    return added;
}

/* Block search: the most violated arc of the first block (cyclically from next_arc) that
   holds a violated arc. */
static int find_entering(ns_t *s, double tol) {
    const int32_t *src = s->src, *tgt = s->tgt;
    const double *cost = s->cost, *pi = s->pi;
    const int8_t *state = s->state;
    double min = -tol;
    int64_t cnt = s->block, e, m = s->m, best = -1;
    for (e = s->next_arc; e < m; e++) {
        double c = state[e] * (cost[e] + pi[src[e]] - pi[tgt[e]]);
        if (c < min) { min = c; best = e; }
        if (--cnt == 0) {
            if (best >= 0) goto found;
            cnt = s->block;
        }
    }
    for (e = 0; e < s->next_arc; e++) {
        double c = state[e] * (cost[e] + pi[src[e]] - pi[tgt[e]]);
        if (c < min) { min = c; best = e; }
        if (--cnt == 0) {
            if (best >= 0) goto found;
            cnt = s->block;
        }
    }
    if (best < 0) return 0;
found:
    s->in_arc = best;
    s->next_arc = e;
    return 1;
}

static void find_join(ns_t *s) {
    int32_t u = s->src[s->in_arc], v = s->tgt[s->in_arc];
    while (u != v) {
        if (s->succ_num[u] < s->succ_num[v]) u = s->parent[u];
        else v = s->parent[v];
    }
    s->join = u;
}

static int find_leaving(ns_t *s) {
    int32_t first, second;
    int64_t in = s->in_arc;
    if (s->state[in] == STATE_LOWER) { first = s->src[in]; second = s->tgt[in]; }
    else { first = s->tgt[in]; second = s->src[in]; }
    int64_t delta = arc_cap(s, in);
    int result = 0;
    for (int32_t u = first; u != s->join; u = s->parent[u]) {
        int64_t e = s->pred[u];
        int64_t d = s->flow[e];
        if (s->pred_dir[u] == DIR_DOWN) {
            int64_t c = arc_cap(s, e);
            d = c >= INF_FLOW ? INF_FLOW : c - d;
        }
        if (d < delta) { delta = d; s->u_out = u; result = 1; }
    }
    for (int32_t u = second; u != s->join; u = s->parent[u]) {
        int64_t e = s->pred[u];
        int64_t d = s->flow[e];
        if (s->pred_dir[u] == DIR_UP) {
            int64_t c = arc_cap(s, e);
            d = c >= INF_FLOW ? INF_FLOW : c - d;
        }
        if (d <= delta) { delta = d; s->u_out = u; result = 2; }
    }
    if (result == 1) { s->u_in = first; s->v_in = second; }
    else { s->u_in = second; s->v_in = first; }
    s->delta = delta;
    return result != 0;
}

static void change_flow(ns_t *s, int change) {
    int64_t in = s->in_arc;
    if (s->delta > 0) {
        int64_t val = s->state[in] * s->delta;
        s->flow[in] += val;
        for (int32_t u = s->src[in]; u != s->join; u = s->parent[u])
            s->flow[s->pred[u]] -= s->pred_dir[u] * val;
        for (int32_t u = s->tgt[in]; u != s->join; u = s->parent[u])
            s->flow[s->pred[u]] += s->pred_dir[u] * val;
    }
    if (change) {
        s->state[in] = STATE_TREE;
        int64_t out = s->pred[s->u_out];
        s->state[out] = s->flow[out] == 0 ? STATE_LOWER : STATE_UPPER;
    } else {
        s->state[in] = (int8_t)(-s->state[in]);
    }
}

static void update_tree(ns_t *s) {
    int32_t *parent = s->parent, *pred = s->pred, *thread = s->thread, *rev_thread = s->rev_thread;
    int32_t *succ_num = s->succ_num, *last_succ = s->last_succ;
    int8_t *pred_dir = s->pred_dir;
    int32_t u_in = s->u_in, v_in = s->v_in, u_out = s->u_out, join = s->join;
    int64_t in_arc = s->in_arc;
    int32_t old_rev_thread = rev_thread[u_out];
    int32_t old_succ_num = succ_num[u_out];
    int32_t old_last_succ = last_succ[u_out];
    int32_t v_out = parent[u_out];
    s->v_out = v_out;

    if (u_in == u_out) {
        parent[u_in] = v_in;
        pred[u_in] = (int32_t)in_arc;
        pred_dir[u_in] = u_in == s->src[in_arc] ? DIR_UP : DIR_DOWN;
        if (thread[v_in] != u_out) {
            int32_t after = thread[old_last_succ];
            thread[old_rev_thread] = after;
            rev_thread[after] = old_rev_thread;
            after = thread[v_in];
            thread[v_in] = u_out;
            rev_thread[u_out] = v_in;
            thread[old_last_succ] = after;
            rev_thread[after] = old_last_succ;
        }
    } else {
        int32_t thread_continue = old_rev_thread == v_in ? thread[old_last_succ] : thread[v_in];
        int32_t stem = u_in, par_stem = v_in, next_stem;
        int32_t last = last_succ[u_in];
        int32_t before, after = thread[last];
        int32_t nd = 0;
        thread[v_in] = u_in;
        s->dirty[nd++] = v_in;
        while (stem != u_out) {
            next_stem = parent[stem];
            thread[last] = next_stem;
            s->dirty[nd++] = last;
            before = rev_thread[stem];
            thread[before] = after;
            rev_thread[after] = before;
            parent[stem] = par_stem;
            par_stem = stem;
            stem = next_stem;
            last = last_succ[stem] == last_succ[par_stem] ? rev_thread[par_stem] : last_succ[stem];
            after = thread[last];
        }
        parent[u_out] = par_stem;
        thread[last] = thread_continue;
        rev_thread[thread_continue] = last;
        last_succ[u_out] = last;
        if (old_rev_thread != v_in) {
            thread[old_rev_thread] = after;
            rev_thread[after] = old_rev_thread;
        }
        for (int32_t i = 0; i < nd; i++) {
            int32_t u = s->dirty[i];
            rev_thread[thread[u]] = u;
        }
        int32_t tmp_sc = 0, tmp_ls = last_succ[u_out];
        for (int32_t u = u_out, p = parent[u]; u != u_in; u = p, p = parent[u]) {
            pred[u] = pred[p];
            pred_dir[u] = (int8_t)(-pred_dir[p]);
            tmp_sc += succ_num[u] - succ_num[p];
            succ_num[u] = tmp_sc;
            last_succ[p] = tmp_ls;
        }
        pred[u_in] = (int32_t)in_arc;
        pred_dir[u_in] = u_in == s->src[in_arc] ? DIR_UP : DIR_DOWN;
        succ_num[u_in] = old_succ_num;
    }

    int32_t up_limit_out = last_succ[join] == v_in ? join : -1;
    int32_t last_succ_out = last_succ[u_out];
    for (int32_t u = v_in; u != -1 && last_succ[u] == v_in; u = parent[u]) last_succ[u] = last_succ_out;
    if (join != old_rev_thread && v_in != old_rev_thread) {
        for (int32_t u = v_out; u != up_limit_out && last_succ[u] == old_last_succ; u = parent[u])
            last_succ[u] = old_rev_thread;
    } else if (last_succ_out != old_last_succ) {
        for (int32_t u = v_out; u != up_limit_out && last_succ[u] == old_last_succ; u = parent[u])
            last_succ[u] = last_succ_out;
    }
    for (int32_t u = v_in; u != join; u = parent[u]) succ_num[u] += old_succ_num;
    for (int32_t u = v_out; u != join; u = parent[u]) succ_num[u] -= old_succ_num;
}

static void update_potential(ns_t *s) {
    int32_t u_in = s->u_in;
    double sigma = s->pi[s->v_in] - s->pi[u_in] - s->pred_dir[u_in] * s->cost[s->in_arc];
    int32_t end = s->thread[s->last_succ[u_in]];
    for (int32_t u = u_in; u != end; u = s->thread[u]) s->pi[u] += sigma;
}

/* Pivot to optimality (reduced costs >= -tol on arcs at their lower bound, <= tol at their
   upper bound). Returns the pivots of this call, or -1 if the problem is unbounded. Costs may
   have changed since the last call (the tree stays, the potentials are recomputed). */
int64_t ns_solve(ns_t *s, double tol) {
    int64_t pivots = 0;
    int rounds = s->act != NULL;
    compute_potentials(s);
    for (;;) {
        while (rounds ? find_entering_act(s, tol) : find_entering(s, tol)) {
            find_join(s);
            int change = find_leaving(s);
            if (s->delta >= INF_FLOW) return -1;
            change_flow(s, change);
            if (change) {
                update_tree(s);
                update_potential(s);
            }
            pivots++;
        }
        compute_potentials(s);
        s->next_arc = 0;
        if (rounds ? find_entering_act(s, tol) : find_entering(s, tol)) continue;
        if (!rounds) break;
        s->rounds++;
        if (price_runs(s, tol) == 0) break;
    }
    s->pivots += pivots;
    return pivots;
}

/* Active arcs (every arc without ns_set_runs), slacks included. */
int64_t ns_active(const ns_t *s) {
    return s->act != NULL ? s->n_act : s->m;
}

/* Pricing rounds so far (ns_set_runs). */
int64_t ns_rounds(const ns_t *s) {
    return s->rounds;
}

/* The potentials of nodes 0..n-1 (root 0): the reduced cost of arc a is
   cost[a] + pi[src[a]] - pi[tgt[a]]. */
void ns_potentials(const ns_t *s, double *out) {
    memcpy(out, s->pi, (size_t)s->n * sizeof(double));
}

/* The arcs of one solve in need-major order, as matching.transport._arc_subset and
   _need_order compute them: arcs a with node_cap[gi[a]] > 0, need_cap[nj[a]] > 0 and (mask
   NULL or mask[a]); ordered by the key nj * 16 + band, band = min(int((hi - fit) * (16 /
   max(hi - lo, 1e-300))), 15) over the kept arcs' fit range [lo, hi], stable (a counting
   sort: the order of NumPy's stable argsort of the same keys; the NumPy path takes another
   order when N * 16 >= 32767). Writes the kept arcs to out and returns how many, -1 when out of memory. */
int64_t ns_need_order(int64_t m, const int64_t *gi, const int64_t *nj, const double *fit,
                      const int64_t *node_cap, const int64_t *need_cap, const uint8_t *mask, int64_t N,
                      int64_t *out) {
    double lo = INFINITY, hi = -INFINITY;
    int64_t kept = 0;
    for (int64_t a = 0; a < m; a++) {
        if (node_cap[gi[a]] <= 0 || need_cap[nj[a]] <= 0 || (mask && !mask[a])) continue;
        if (fit[a] < lo) lo = fit[a];
        if (fit[a] > hi) hi = fit[a];
        kept++;
    }
    if (kept == 0) return 0;
    double span = hi - lo;
    double scale = 16.0 / (span > 1e-300 ? span : 1e-300);
    int64_t nk = N * 16;
    int64_t *cnt = calloc((size_t)nk + 1, sizeof(int64_t));
    if (cnt == NULL) return -1;
#define KEY(a) (nj[a] * 16 + (int64_t)((int)((hi - fit[a]) * scale) < 15 ? (int)((hi - fit[a]) * scale) : 15))
    for (int64_t a = 0; a < m; a++) {
        if (node_cap[gi[a]] <= 0 || need_cap[nj[a]] <= 0 || (mask && !mask[a])) continue;
        cnt[KEY(a) + 1]++;
    }
    for (int64_t k = 0; k < nk; k++) cnt[k + 1] += cnt[k];
    for (int64_t a = 0; a < m; a++) {
        if (node_cap[gi[a]] <= 0 || need_cap[nj[a]] <= 0 || (mask && !mask[a])) continue;
        out[cnt[KEY(a)]++] = a;
    }
#undef KEY
    free(cnt);
    return kept;
}

/* The arc arrays of a Transport from the kind's arrays: arc k < P is the parallel arc of
   order[par[k]] (cost w / wscale + eps), arc P + k is order[k] (cost w / wscale), costs
   negated (minimised), tails gi, heads G + nj; then the slacks (see the top). */
void ns_fill(int64_t m, int64_t P, const int64_t *par, const int64_t *order, const int64_t *gi,
             const int64_t *nj, const double *w, double wscale, double eps, int32_t G, int32_t N,
             int32_t *src, int32_t *tgt, double *cost) {
    for (int64_t k = 0; k < P; k++) {
        int64_t a = order[par[k]];
        src[k] = (int32_t)gi[a];
        tgt[k] = (int32_t)(G + nj[a]);
        cost[k] = -(w[a] / wscale + eps);
    }
    for (int64_t k = 0; k < m; k++) {
        int64_t a = order[k];
        src[P + k] = (int32_t)gi[a];
        tgt[P + k] = (int32_t)(G + nj[a]);
        cost[P + k] = -(w[a] / wscale);
    }
    int64_t base = P + m;
    int32_t root = G + N;
    for (int32_t u = 0; u < G; u++) {
        src[base + u] = u;
        tgt[base + u] = root;
        cost[base + u] = 0.0;
    }
    for (int32_t j = 0; j < N; j++) {
        src[base + G + j] = root;
        tgt[base + G + j] = G + j;
        cost[base + G + j] = 0.0;
    }
}
