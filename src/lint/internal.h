// SPDX-License-Identifier: MIT
// Shared between the lint engine's passes: per-file syntax, per-function channel facts.
#ifndef CW_LINT_INTERNAL_H
#define CW_LINT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#include "lib/arena.h"
#include "lib/hashmap.h"
#include "model/lint.h"

const TSLanguage *tree_sitter_go(void);

/* Node symbols and field ids of the grammar, resolved once per process. */
struct go_syntax {
	TSSymbol identifier, field_identifier, selector_expression, call_expression, argument_list,
	    unary_expression, binary_expression, send_statement, receive_statement,
	    select_statement, communication_case, default_case, go_statement, defer_statement,
	    func_literal, for_statement, range_clause, for_clause, channel_type, return_statement,
	    if_statement, expression_switch_statement, type_switch_statement, expression_case,
	    type_case, block, short_var_declaration, assignment_statement, var_declaration,
	    var_spec, parameter_declaration, variadic_parameter_declaration, parameter_list,
	    function_declaration, method_declaration, labeled_statement, break_statement,
	    continue_statement, goto_statement, expression_statement, parenthesized_expression,
	    expression_list, composite_literal, keyed_element, literal_element, literal_value,
	    field_declaration, int_literal, comment, source_file, nil, type_declaration,
	    const_declaration, fallthrough_statement, inc_statement, dec_statement, empty_statement,
	    type_identifier, qualified_type;
	TSFieldId f_function, f_arguments, f_operand, f_operator, f_field, f_channel, f_value,
	    f_left, f_right, f_body, f_name, f_type, f_parameters, f_condition, f_consequence,
	    f_alternative, f_initializer, f_communication, f_label, f_result, f_receiver, f_update;
};

extern struct go_syntax G;
/* Fills G; returns -1 when the grammar lacks a name (wrong grammar version). */
int go_syntax_init(void);

/* One parsed file. */
struct src_file {
	const char *path;
	const char *src;
	uint32_t len;
	TSTree *tree;
};

enum op_kind {
	OP_SEND,       /* ch <- v */
	OP_RECV,       /* <-ch (also a select receive case) */
	OP_RANGE,      /* for ... range ch */
	OP_CLOSE,      /* close(ch) */
	OP_CALLARG,    /* f(ch) with f a function of this package */
	OP_GOARG,      /* go f(ch) with f a function of this package */
	OP_NILCMP,     /* ch == nil, ch != nil */
	OP_ASSIGN,     /* ch = ... (not its declaration) */
	OP_ESCAPE,     /* any other use: the channel goes where we cannot follow */
	OP_STOP,       /* t.Stop() on a ticker */
	OP_SELECT0,    /* select {} (sym -1) */
	OP_TIME_AFTER, /* time.After in a select case (sym -1) */
	OP_TIME_TICK,  /* time.Tick(...) (sym -1) */
	OP_RETURN,     /* return ch */
	OP_RANGE_CALL, /* for ... range f(...) with f of this package (sym -1, callee set) */
	OP_EXIT,       /* os.Exit, log.Fatal...: the process ends here (sym -1) */
	OP_METHOD,     /* x.M(...): a method of x may re-make x's channel fields */
	OP_WAIT	       /* x.Wait(): a WaitGroup (or the like) waits for other goroutines (sym -1) */
};

#define OPF_SELECT_ALT 1 /* a case of a select with another case or a default */
#define OPF_IN_SELECT  2 /* a select case's communication */
#define OPF_DEFER      4 /* inside a defer statement's call: runs when the function returns */
/* A select case whose select has another case that does not end the function. */
#define OPF_OTHER_CONTINUES 8
/* A select case whose select's other cases all end the process (os.Exit, log.Fatal). */
#define OPF_OTHERS_EXIT 16
/* A send statement directly followed by break or return: one send per run of its loop. */
#define OPF_THEN_LEAVES 32
/* A close under an if testing a count (a == or >= comparison, not with nil): a counted drain. */
#define OPF_COUNTED 64

struct op {
	uint8_t kind;
	uint8_t flags;
	uint16_t ctx;  /* goroutine context (struct gctx) the op runs in */
	int32_t sym;   /* index in func.syms, -1 for none */
	uint32_t byte; /* start byte of the op's node */
	uint32_t row, col;
	uint32_t loop;		       /* start byte + 1 of the innermost for loop in ctx, 0 none */
	uint32_t select;	       /* start byte + 1 of the select it is a case of, 0 none */
	uint32_t sel_row, sel_col;     /* the select, when select is set */
	uint32_t case_start, case_end; /* the select case it is in, when select is set */
	uint16_t sel_cases;	       /* ... and how many cases (default included) it has */
	const char *key;	       /* a field path such as s.quit when sym is -1, else NULL */
	uint32_t key_len;
	int32_t root;	    /* with key: the sym of its leading identifier, or -1 */
	const char *callee; /* OP_CALLARG/GOARG: function name (in the source), len below */
	uint32_t callee_len;
	int32_t argi;
};

enum sym_kind { SYM_LOCAL, SYM_PARAM };

struct sym {
	const char *name;
	uint32_t len;
	uint32_t decl_byte;
	uint16_t ctx; /* context that declares it */
	uint8_t kind;
	bool made;	     /* initialised with make(chan ...) at its declaration */
	bool chan_decl;	     /* declared with a chan type (var, parameter) */
	bool nil_decl;	     /* `var x chan T` with no value */
	bool ticker;	     /* x := time.NewTicker(...) */
	bool closure_assign; /* assigned inside a nested function literal */
	int param_index;
	int64_t cap; /* make's capacity: >= 0 constant, -1 unbuffered not given... see CAP_ */
	uint32_t make_row, make_col, make_byte;
	uint32_t tick_row, tick_col, tick_byte;
	uint32_t make_loop;    /* innermost loop (start+1) of the make, 0 none */
	const char *from_call; /* x := f(...) with f a plain function name: f, else NULL */
	uint32_t from_call_len;
};

#define CAP_UNKNOWN -1 /* capacity is an expression we do not evaluate */

enum gctx_kind { CTX_BODY, CTX_GO, CTX_DEFER, CTX_OTHER };

struct gctx {
	uint8_t kind;
	uint16_t parent;
	uint32_t byte, end; /* the func literal's body range (ctx 0: the function's) */
	uint32_t go_byte, go_row, go_col; /* CTX_GO: the go statement */
	uint32_t go_loop; /* innermost loop around the go statement in the parent ctx */
	TSNode body;
};

struct jump {
	uint16_t ctx;
	uint8_t is_break;
	uint32_t byte, end, row, col;
	uint32_t loop;	    /* innermost for loop (start+1) in ctx */
	uint32_t breakable; /* innermost for/switch/select (start+1): what a break leaves */
};

struct gostmt {
	uint16_t ctx, lit; /* lit: the launched literal's ctx, 0 when go f(...) */
	uint32_t byte, row, col, loop;
};

struct loop_span {
	uint32_t key, end;
	bool unbounded; /* for {}, or range over a channel or time.Tick: may run for ever */
	uint16_t ctx;	/* the goroutine context it runs in */
};

/* One function or method body with its nested literals. */
struct func {
	const struct src_file *file;
	bool in_test_file; /* the file's name ends in _test.go */
	bool never_runs;   /* an Example without an Output comment, or a test that skips first */
	const char *name;  /* NULL for methods and literals outside functions */
	uint32_t name_len;
	TSNode node;
	bool is_main_or_init;
	struct sym *syms;
	size_t nsyms, syms_alloc;
	struct op *ops;
	size_t nops, ops_alloc;
	struct gctx *ctxs;
	size_t nctxs, ctxs_alloc;
	struct jump *jumps; /* return (is_break 0), break (1) */
	size_t njumps, jumps_alloc;
	struct gostmt *gos;
	size_t ngos, gos_alloc;
	struct loop_span *loops; /* every for statement: start byte + 1 (the key ops use), end */
	size_t nloops, loops_alloc;
	int nparams;
};

/* Package-wide facts of a struct field of channel type, by field name. */
struct field_facts {
	bool chan_type; /* declared `name chan T` in a struct of this package */
	bool closed, escapes, exported;
	uint32_t nranges;
	struct op ranges[8];
	const struct src_file *range_files[8];
	uint32_t range_funcs[8]; /* index in package_ctx.funcs of the function ranging */
};

struct finding_sink {
	struct lint_finding *v;
	size_t n, alloc;
	struct arena *arena;
};

struct package_ctx {
	struct src_file *files;
	size_t nfiles;
	struct func *funcs;
	size_t nfuncs, funcs_alloc;
	struct hashmap fields;	  /* field name -> struct field_facts */
	struct hashmap fnames;	  /* function name -> struct func * (plain functions only) */
	int go_minor;		  /* -1 unknown */
	bool positional_literals; /* a struct literal without field names: fields set unseen */
	struct arena *arena;	  /* freed when the package is done: nothing a finding keeps */
	struct finding_sink *out;
};

/* os.Exit(...), log.Fatal/Fatalf/Fatalln(...): the process ends there. */
bool call_exits_process(const struct src_file *f, TSNode call);
/* The caller's path does not go on after call: call_exits_process, panic(...), or a method
 * that does not return (t.Fatal..., FailNow, Skip..., runtime.Goexit, log.Panic...). */
bool call_never_returns(const struct src_file *f, TSNode call);

/* facts.c: collects funcs[] (syms, ops, contexts) and field facts of one file. */
void facts_collect_file(struct package_ctx *p, const struct src_file *f);
void func_release(struct func *fn);

/* rules.c: the set-based rules over the package's facts. */
void rules_run(struct package_ctx *p);
/* paths.c: path-sensitive rules (CW103, CW104, CW106) over one function. */
void paths_run(struct package_ctx *p, const struct func *fn);

/* Adds a finding; message is copied. Returns it, for related locations. */
struct lint_finding *finding_add(struct package_ctx *p, const char *rule, const char *file,
				 uint32_t row, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void finding_relate(struct package_ctx *p, struct lint_finding *f, const char *file, uint32_t row,
		    uint32_t col, const char *msg);

/* Null-safe child access: libtree-sitter 0.20 crashes on a null node. */
static inline uint32_t ts_nnamed(TSNode n)
{
	return ts_node_is_null(n) ? 0 : ts_node_named_child_count(n);
}
static inline TSNode ts_named(TSNode n, uint32_t i)
{
	TSNode none = {0};
	return ts_node_is_null(n) ? none : ts_node_named_child(n, i);
}
static inline uint32_t ts_nchild(TSNode n)
{
	return ts_node_is_null(n) ? 0 : ts_node_child_count(n);
}
static inline TSNode ts_child(TSNode n, uint32_t i)
{
	TSNode none = {0};
	return ts_node_is_null(n) ? none : ts_node_child(n, i);
}
static inline TSNode ts_field(TSNode n, TSFieldId id)
{
	TSNode none = {0};
	return ts_node_is_null(n) ? none : ts_node_child_by_field_id(n, id);
}

/* Text of a node (not NUL-terminated). */
static inline const char *node_text(const struct src_file *f, TSNode n, uint32_t *len)
{
	uint32_t s = 0, e = 0;
	if (!ts_node_is_null(n)) {
		s = ts_node_start_byte(n);
		e = ts_node_end_byte(n);
	}
	if (e > f->len || s > e)
		s = e = 0;
	*len = e - s;
	return f->src + s;
}

static inline bool node_is(const struct src_file *f, TSNode n, const char *s)
{
	uint32_t len;
	const char *t = node_text(f, n, &len);
	size_t sl = __builtin_strlen(s);
	return len == sl && !__builtin_memcmp(t, s, sl);
}
#endif
