// SPDX-License-Identifier: MIT
// Resolves tree-sitter-go's node symbols and field ids by name, once.
#include "lint/internal.h"

#include <string.h>

#include "lib/banned.h"

struct go_syntax G;

static int sym(TSSymbol *out, const char *name, bool named)
{
	*out = ts_language_symbol_for_name(tree_sitter_go(), name, (uint32_t)strlen(name), named);
	return *out ? 0 : -1;
}

static int field(TSFieldId *out, const char *name)
{
	*out = ts_language_field_id_for_name(tree_sitter_go(), name, (uint32_t)strlen(name));
	return *out ? 0 : -1;
}

int go_syntax_init(void)
{
	int bad = 0;
#define S(x) bad |= sym(&G.x, #x, true)
	S(identifier);
	S(field_identifier);
	S(selector_expression);
	S(call_expression);
	S(argument_list);
	S(unary_expression);
	S(binary_expression);
	S(send_statement);
	S(receive_statement);
	S(select_statement);
	S(communication_case);
	S(default_case);
	S(go_statement);
	S(defer_statement);
	S(func_literal);
	S(for_statement);
	S(range_clause);
	S(for_clause);
	S(channel_type);
	S(return_statement);
	S(if_statement);
	S(expression_switch_statement);
	S(type_switch_statement);
	S(expression_case);
	S(type_case);
	S(block);
	S(short_var_declaration);
	S(assignment_statement);
	S(var_declaration);
	S(var_spec);
	S(parameter_declaration);
	S(variadic_parameter_declaration);
	S(parameter_list);
	S(function_declaration);
	S(method_declaration);
	S(labeled_statement);
	S(break_statement);
	S(continue_statement);
	S(goto_statement);
	S(expression_statement);
	S(parenthesized_expression);
	S(expression_list);
	S(composite_literal);
	S(keyed_element);
	S(literal_element);
	S(literal_value);
	S(field_declaration);
	S(int_literal);
	S(comment);
	S(source_file);
	S(nil);
	S(type_declaration);
	S(const_declaration);
	S(fallthrough_statement);
	S(inc_statement);
	S(dec_statement);
	S(empty_statement);
	S(type_identifier);
	S(qualified_type);
#undef S
#define F(x) bad |= field(&G.f_##x, #x)
	F(function);
	F(arguments);
	F(operand);
	F(operator);
	F(field);
	F(channel);
	F(value);
	F(left);
	F(right);
	F(body);
	F(name);
	F(type);
	F(parameters);
	F(condition);
	F(consequence);
	F(alternative);
	F(initializer);
	F(communication);
	F(label);
	F(result);
	F(receiver);
	F(update);
#undef F
	return bad ? -1 : 0;
}

bool call_exits_process(const struct src_file *f, TSNode call)
{
	TSNode fn = ts_field(call, G.f_function), op, field;
	if (ts_node_is_null(fn) || ts_node_symbol(fn) != G.selector_expression)
		return false;
	op = ts_field(fn, G.f_operand);
	field = ts_field(fn, G.f_field);
	return (node_is(f, op, "os") && node_is(f, field, "Exit")) ||
	       (node_is(f, op, "log") &&
		(node_is(f, field, "Fatal") || node_is(f, field, "Fatalf") ||
		 node_is(f, field, "Fatalln")));
}

bool call_never_returns(const struct src_file *f, TSNode call)
{
	static const char *const methods[] = {"FailNow", "Skip",  "Skipf",  "SkipNow",
					      "Goexit",	 "Panic", "Panicf", "Panicln"};
	TSNode fn = ts_field(call, G.f_function), field;
	if (ts_node_is_null(fn) || ts_node_symbol(call) != G.call_expression)
		return false;
	if (ts_node_symbol(fn) == G.identifier)
		return node_is(f, fn, "panic");
	if (ts_node_symbol(fn) != G.selector_expression)
		return false;
	if (call_exits_process(f, call))
		return true;
	field = ts_field(fn, G.f_field);
	/* Fatal, Fatalf... of any package (t, log, testutil.FatalStack, zap's Fatalw): named
	 * not to return */
	if (ts_node_end_byte(field) - ts_node_start_byte(field) >= 5 &&
	    !memcmp(f->src + ts_node_start_byte(field), "Fatal", 5))
		return true;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (node_is(f, field, methods[i]))
			return true;
	return false;
}
