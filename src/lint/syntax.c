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
#undef S
	/* 0.23.4 has no statement_list node: blocks hold statements directly. */
	G.statement_list = 0;
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
